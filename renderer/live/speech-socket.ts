import type { WebSocket } from 'ws';
import type { LiveSession, SessionEvent, SpeakerLink } from './live-session.ts';
import { CLOSE } from '../../contract/live-sessions.ts';
import { MAX_MESSAGE_BYTES, parseAgentMessage, ProtocolError } from './speech-protocol.ts';
import { FrameOutput } from './frame-output.ts';

/**
 * A peer that does not answer the close frame would be read and parsed for ws's 30 s close timeout. Past what it
 * could have had in flight when the close went out, it is no longer read (pausing, not cutting the connection: a
 * reset could destroy the close frame before the peer reads it), and after the grace it is cut off.
 */
const CLOSE_GRACE_MS = 1000;
const MAX_BYTES_AFTER_CLOSE = 1024 * 1024;

/** Closes with the code, and makes sure the socket is gone soon even if the peer never answers. */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.close(code, reason.slice(0, 120));
  let bytesAfterClose = 0;
  socket.on('message', (data: Buffer) => {
    bytesAfterClose += data.length;
    if (bytesAfterClose > MAX_BYTES_AFTER_CLOSE) socket.pause();
  });
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
}

/** Sends one `error` event and closes with the code; the session (if any) decides for itself what follows. */
export function refuse(socket: WebSocket, code: number, message: string): void {
  if (socket.readyState !== socket.OPEN) return;
  const event: SessionEvent = { type: 'error', message };
  socket.send(JSON.stringify(event));
  closeSocket(socket, code, message);
}

/**
 * Binds an accepted agent socket to its session: messages in, events out. Bad input closes this socket with its
 * code; the session, its queued speech and its viewers go on, and the agent may connect again with its token.
 */
export function bindSpeechSocket(socket: WebSocket, session: LiveSession): void {
  let closedByUs = false;
  let started = false; // this connection's own `start`: every connection declares its format
  // Frames and audio back on this socket, when its `start` asked for them; events then go out in order with them.
  let output: FrameOutput | null = null;
  const link: SpeakerLink = {
    send: (event) => {
      if (output) output.event(JSON.stringify(event));
      else if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    },
    close: (code, reason) => {
      closedByUs = true;
      // After what the frame output still has to send (the `ended` event among it).
      if (output) void output.flushed().then(() => closeSocket(socket, code, reason));
      else closeSocket(socket, code, reason);
    },
  };
  session.attachSpeaker(link);

  const leave = (): void => {
    session.speakerLeft(link);
    if (output) session.removeOutput(output);
    output = null;
  };
  const fail = (code: number, message: string): void => {
    closedByUs = true;
    leave();
    refuse(socket, code, message);
  };

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (closedByUs || session.isEnded) return;
    try {
      if (data.length > MAX_MESSAGE_BYTES)
        throw new ProtocolError(CLOSE.badMessage, `A message may hold at most ${MAX_MESSAGE_BYTES} bytes.`);
      if (isBinary) {
        if (!started) throw new ProtocolError(CLOSE.badFormat, 'Binary speech arrived before the "start" message declared its format.');
        if (data.length % 2 !== 0)
          throw new ProtocolError(CLOSE.badFormat, 'PCM16 speech comes in whole 2-byte samples; this chunk has an odd length.');
        // Speech is kept until it plays: a sender far ahead of real time would grow it without bound.
        if (session.queuedMs + chunkMs(session, data.length) > session.maxQueuedMs) {
          throw new ProtocolError(
            CLOSE.speechOverflow,
            `More than ${session.maxQueuedMs / 1000} s of speech is queued ahead of playout; send it closer to real time.`,
          );
        }
        session.receiveSpeech(new Uint8Array(data.buffer, data.byteOffset, data.length));
        return;
      }
      const message = parseAgentMessage(data.toString('utf8'));
      if (message.type === 'start') {
        if (started) throw new ProtocolError(CLOSE.badMessage, 'The session has already started.');
        started = true;
        if (message.output) {
          output = new FrameOutput(socket, message.output, session.metrics);
          session.addOutput(output);
        }
        session.start(message.sampleRate, message.debug);
      } else if (!started) {
        throw new ProtocolError(CLOSE.badMessage, 'The first message must be "start".');
      } else if (message.type === 'interrupt') session.interrupt();
      else if (message.type === 'end') session.finish();
      else if (message.type === 'expression') session.setExpression(message.expression);
      else if (message.type === 'text') session.receiveText(message.words);
    } catch (error) {
      if (error instanceof ProtocolError) fail(error.code, error.message);
      else fail(1011, 'The renderer failed to handle this message.');
    }
  });
  socket.on('close', leave);
  socket.on('error', () => socket.terminate());
}

function chunkMs(session: LiveSession, bytes: number): number {
  return session.sampleRate ? (bytes / 2 / session.sampleRate) * 1000 : 0;
}
