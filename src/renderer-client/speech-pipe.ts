import type { Duplex } from 'node:stream';

/** What the API tells the agent itself when the container's side of its socket is gone without a close. */
export interface UpstreamLostAnswer {
  /** One JSON event for the agent (`ended`, or an `error` that says to connect again). */
  event: Record<string, unknown>;
  code: number;
  reason: string;
}

/**
 * Joins the agent's socket to the container's after the upgrade, bytes untouched. When the container's side goes away
 * without a close frame (the container crashed, or the link to it broke), `lost` decides what the agent hears: the API
 * then writes that event and a close frame itself, between two of the container's frames, never inside one.
 */
export function joinSpeechSockets(agent: Duplex, upstream: Duplex, lost: () => Promise<UpstreamLostAnswer>): void {
  const frames = new FrameTracker();
  upstream.on('data', (chunk: Buffer) => frames.push(chunk));
  upstream.pipe(agent, { end: false });
  agent.pipe(upstream);
  agent.on('close', () => upstream.destroy());
  upstream.on('error', () => {}); // 'close' follows
  upstream.on('close', () => {
    agent.unpipe(upstream);
    if (agent.destroyed) return;
    // The container closed the socket itself (its close frame passed): hang up once what it sent is written.
    if (frames.closing) return hangUp(agent);
    // Cut inside a frame: nothing more can be said on this socket.
    if (!frames.atBoundary) return agent.destroy();
    lost().then(
      (answer) => {
        if (agent.destroyed) return;
        agent.write(serverFrame(OPCODE.text, Buffer.from(JSON.stringify(answer.event))));
        const close = Buffer.alloc(2 + Buffer.byteLength(answer.reason));
        close.writeUInt16BE(answer.code, 0);
        close.write(answer.reason, 2);
        hangUp(agent, serverFrame(OPCODE.close, close));
      },
      () => agent.destroy(),
    );
  });
}

const OPCODE = { text: 0x1, close: 0x8 } as const;

/** Ends the agent's socket after what is queued on it (and `last`); an agent that does not hang up too is cut off. */
function hangUp(agent: Duplex, last?: Buffer): void {
  agent.end(last);
  setTimeout(() => agent.destroy(), 1000).unref();
}

/** An unmasked, final server frame (RFC 6455 §5.2). */
function serverFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Follows the container's frames as they pass: whether the stream stands between two frames, and whether it sent a close. */
export class FrameTracker {
  closing = false;
  private header = Buffer.alloc(0);
  /** Payload bytes of the current frame still to pass. */
  private remaining = 0;

  get atBoundary(): boolean {
    return this.remaining === 0 && this.header.length === 0;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        offset += take;
        continue;
      }
      // A header is at most 14 bytes, and may be split across chunks.
      const before = this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + 14 - before)]);
      const parsed = parseHeader(this.header);
      if (!parsed) {
        offset += this.header.length - before; // the chunk is used up
        continue;
      }
      offset += parsed.headerBytes - before;
      if ((this.header[0]! & 0x0f) === OPCODE.close) this.closing = true;
      this.header = Buffer.alloc(0);
      this.remaining = parsed.payloadBytes;
    }
  }
}

/** The header's size and the payload's, once the header is complete. */
function parseHeader(bytes: Buffer): { headerBytes: number; payloadBytes: number } | null {
  if (bytes.length < 2) return null;
  const masked = (bytes[1]! & 0x80) !== 0;
  const short = bytes[1]! & 0x7f;
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0;
  const headerBytes = 2 + extended + (masked ? 4 : 0);
  if (bytes.length < headerBytes) return null;
  const payloadBytes = short === 126 ? bytes.readUInt16BE(2) : short === 127 ? Number(bytes.readBigUInt64BE(2)) : short;
  return { headerBytes, payloadBytes };
}
