import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';

export interface FloodResult {
  /** The close code the flooder got (null: the connection dropped without a close frame). */
  code: number | null;
  /** The last `error` event's sentence, if any. */
  error: string | null;
  bytesSent: number;
}

const CHUNK = 64 * 1024;

/**
 * An agent that sends `start`, then 64 KiB PCM chunks as fast as TCP takes them (never more than 1 MiB waiting in
 * its own buffer), until the renderer closes the socket.
 */
export function floodSpeech(wsUrl: string): Promise<FloodResult> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl);
    const chunk = Buffer.alloc(CHUNK, 0x11);
    let bytesSent = 0;
    let error: string | null = null;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const event = JSON.parse(data.toString()) as { type: string; message?: string };
      if (event.type === 'error') error = event.message ?? null;
      if (event.type === 'ready') pump();
    });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } })));
    socket.on('error', () => {});
    socket.on('close', (code) => resolve({ code, error, bytesSent }));
    function pump(): void {
      while (socket.readyState === WebSocket.OPEN && socket.bufferedAmount < 1024 * 1024) {
        socket.send(chunk);
        bytesSent += CHUNK;
      }
      if (socket.readyState === WebSocket.OPEN) setImmediate(pump);
    }
  });
}

/**
 * A flooder that ignores the close frame and goes on writing, as a hostile client would: a raw TCP socket that
 * speaks just enough WebSocket (masked binary frames). Resolves once the renderer hangs up, with the close code
 * it sent.
 */
export function floodSpeechDeaf(baseUrl: string, speechPath: string, token: string): Promise<FloodResult & { writtenAfterClose: number }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let upgraded = false;
    let code: number | null = null;
    let bytesSent = 0;
    let writtenAfterClose = 0;
    const frame = (opcode: number, payload: Buffer) => {
      const mask = randomBytes(4);
      const length = payload.length;
      const header =
        length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length]) : Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff]);
      const body = Buffer.from(payload);
      for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
      return Buffer.concat([header, mask, body]);
    };
    // 64 KiB minus one byte fits the 16-bit length; the chunk must stay even-sized, so one sample less.
    const pcm = frame(0x2, Buffer.alloc(CHUNK - 2, 0x11));
    socket.on('connect', () => {
      socket.write(
        `GET ${speechPath}?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (!upgraded) {
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        received = received.subarray(end + 4);
        socket.write(
          frame(0x1, Buffer.from(JSON.stringify({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } }))),
        );
        pump();
      }
      // Server frames are small and unmasked: find the close frame (opcode 8) among them.
      while (received.length >= 2) {
        const length = received[1]! & 0x7f;
        const headerLength = length === 126 ? 4 : 2;
        const size = length === 126 ? received.readUInt16BE(2) : length;
        if (received.length < headerLength + size) break;
        if ((received[0]! & 0x0f) === 0x8 && size >= 2) code = received.readUInt16BE(headerLength);
        received = received.subarray(headerLength + size);
      }
    });
    function pump(): void {
      while (!socket.destroyed && socket.writable && socket.writableLength < 1024 * 1024) {
        socket.write(pcm);
        bytesSent += pcm.length;
        if (code !== null) writtenAfterClose += pcm.length;
      }
      if (!socket.destroyed && socket.writable) setImmediate(pump);
    }
    socket.on('error', () => {});
    socket.on('close', () => resolve({ code, error: null, bytesSent, writtenAfterClose }));
  });
}
