import sharp from 'sharp';
import type { WebSocket } from 'ws';
import type { AudioSlot, DrawnFrame, MediaOutput } from './live-session.ts';
import type { SessionMetrics } from './session-metrics.ts';

/** What the agent asked for in `start`'s `output`: frames as JPEG or raw I420, and whether to get the audio back. */
export interface FrameOutputOptions {
  video: 'jpeg' | 'i420';
  /** JPEG quality 1..100. */
  jpegQuality: number;
  audio: boolean;
}

/**
 * The media messages' layout (docs/live-sessions.md, "Frames over the socket"): a 13-byte little-endian header, then
 * the payload. Kind 1: a JPEG frame, 2: an I420 frame (then `a`, `b` are its width and height); kind 3: mono PCM16 audio
 * (then `a` is its sample rate and `b` its channel count). `ptsMs` is the media's time on the session's playout clock.
 */
export const MEDIA_KIND = { jpeg: 1, i420: 2, pcm16: 3 } as const;
export const HEADER_BYTES = 13;

/**
 * Past this much unsent data on the socket, video frames are dropped (counted as framesDropped): a consumer that
 * reads slowly gets fewer frames, never older ones. Audio is dropped only past the hard cap (audioDroppedMs), so
 * what the socket holds for a consumer that stops reading stays bounded.
 */
const VIDEO_BACKLOG_FRAMES = 4;
const AUDIO_BACKLOG_BYTES = 8 * 1024 * 1024;
/** JPEG encodes run on libuv's threads; more than this many waiting means the encoder is behind: drop. */
const MAX_ENCODES_IN_FLIGHT = 2;

function header(kind: number, ptsMs: number, a: number, b: number, payloadBytes: number): Buffer {
  const message = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  message.writeUInt8(kind, 0);
  message.writeDoubleLE(ptsMs, 1);
  message.writeUInt16LE(a, 9);
  message.writeUInt16LE(b, 11);
  return message;
}

/**
 * The session's media sent back to the agent on its own socket, for pipelines that are not browsers (Pipecat): each
 * frame at the avatar's frame rate with its presentation time, and each 10 ms of audio as it plays, paced by the
 * playout clock exactly as WHEP and LiveKit viewers get it.
 */
export class FrameOutput implements MediaOutput {
  private encodesInFlight = 0;
  /**
   * Everything goes out in the order it happened, whatever order the JPEG encodes finish in: audio, frames and the
   * session's events, so an `interrupted` event comes after every frame drawn before it and before any drawn after.
   */
  private sending: Promise<void> = Promise.resolve();
  private lastFrameBytes = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: FrameOutputOptions,
    private readonly metrics: SessionMetrics,
  ) {}

  audio(slot: AudioSlot): void {
    if (!this.options.audio || !this.open()) return;
    if (this.socket.bufferedAmount > AUDIO_BACKLOG_BYTES) {
      this.metrics.outputDropped(0, 10);
      return;
    }
    const message = header(MEDIA_KIND.pcm16, slot.atMs, slot.sampleRate, 1, slot.pcm.byteLength);
    Buffer.from(slot.pcm.buffer, slot.pcm.byteOffset, slot.pcm.byteLength).copy(message, HEADER_BYTES);
    this.enqueue(message);
  }

  /** A session event (JSON text), in order with the media. */
  event(text: string): void {
    this.enqueue(text);
  }

  video(frame: DrawnFrame): void {
    if (!this.open()) return;
    const backlog = VIDEO_BACKLOG_FRAMES * Math.max(this.lastFrameBytes, 1024);
    if (this.socket.bufferedAmount > backlog || this.encodesInFlight >= MAX_ENCODES_IN_FLIGHT) {
      this.metrics.outputDropped(1, 0);
      return;
    }
    if (this.options.video === 'i420') {
      const i420 = frame.i420();
      const message = header(MEDIA_KIND.i420, frame.atMs, frame.width, frame.height, i420.byteLength);
      message.set(i420, HEADER_BYTES);
      this.lastFrameBytes = message.byteLength;
      this.enqueue(message);
      return;
    }
    // The frame's buffer is drawn over for the next frame: the encoder gets its own copy.
    const rgba = Buffer.from(frame.rgba);
    const { width, height, atMs } = frame;
    this.encodesInFlight++;
    const encoded = sharp(rgba, { raw: { width, height, channels: 4 } })
      .jpeg({ quality: this.options.jpegQuality })
      .toBuffer()
      .finally(() => this.encodesInFlight--);
    this.sending = this.sending.then(async () => {
      const jpeg = await encoded.catch(() => null);
      if (!jpeg) return this.metrics.outputDropped(1, 0);
      const message = header(MEDIA_KIND.jpeg, atMs, width, height, jpeg.byteLength);
      jpeg.copy(message, HEADER_BYTES);
      this.lastFrameBytes = message.byteLength;
      this.send(message);
    });
  }

  /** Resolves once everything queued so far has been handed to the socket. */
  flushed(): Promise<void> {
    return this.sending;
  }

  private open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  private enqueue(message: Buffer | string): void {
    this.sending = this.sending.then(() => this.send(message));
  }

  private send(message: Buffer | string): void {
    if (this.open()) this.socket.send(message);
  }
}
