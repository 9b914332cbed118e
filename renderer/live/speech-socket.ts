import type { WebSocket } from 'ws';
import type { LiveSession, SessionEvent } from './live-session.ts';
import { CLOSE, MAX_MESSAGE_BYTES, parseAgentMessage, ProtocolError } from './speech-protocol.ts';

/** Sends one `error` event and closes with the code; the session (if any) decides for itself what follows. */
export function refuse(socket: WebSocket, code: number, message: string): void {
  const event: SessionEvent = { type: 'error', message };
  socket.send(JSON.stringify(event));
  socket.close(code, message.slice(0, 120));
}

/** Binds an accepted agent socket to its session: messages in, events out; closing the socket ends the session. */
export function bindSpeechSocket(socket: WebSocket, session: LiveSession): void {
  let closedByUs = false;
  session.attachSpeaker({
    send: (event) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
    },
    close: (code, reason) => {
      closedByUs = true;
      socket.close(code, reason);
    },
  });

  const fail = (code: number, message: string): void => {
    closedByUs = true;
    refuse(socket, code, message);
    session.speakerLeft();
  };

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (closedByUs || session.isEnded) return;
    try {
      if (data.length > MAX_MESSAGE_BYTES) throw new ProtocolError(CLOSE.badMessage, `A message may hold at most ${MAX_MESSAGE_BYTES} bytes.`);
      if (isBinary) {
        if (!session.started) throw new ProtocolError(CLOSE.badFormat, 'Binary speech arrived before the "start" message declared its format.');
        if (data.length % 2 !== 0) throw new ProtocolError(CLOSE.badFormat, 'PCM16 speech comes in whole 2-byte samples; this chunk has an odd length.');
        session.receiveSpeech(new Uint8Array(data.buffer, data.byteOffset, data.length));
        return;
      }
      const message = parseAgentMessage(data.toString('utf8'));
      if (message.type === 'start') {
        if (session.started) throw new ProtocolError(CLOSE.badMessage, 'The session has already started.');
        session.start(message.sampleRate, message.debug);
      } else if (!session.started) {
        throw new ProtocolError(CLOSE.badMessage, 'The first message must be "start".');
      } else if (message.type === 'interrupt') session.interrupt();
      else if (message.type === 'end') session.finish();
      // "text" is accepted for the transcript; the mouth follows the audio alone.
    } catch (error) {
      if (error instanceof ProtocolError) fail(error.code, error.message);
      else fail(1011, 'The renderer failed to handle this message.');
    }
  });
  socket.on('close', () => {
    if (!closedByUs) session.speakerLeft();
  });
  socket.on('error', () => socket.terminate());
}
