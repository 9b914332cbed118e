import {
  AudioStream,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  type RpcInvocationData,
  TrackKind,
  VideoBufferType,
  VideoStream,
} from '@livekit/rtc-node';
import { LIVEKIT_AVATAR, type PlaybackFinished } from '../../contract/livekit-avatar.ts';
import { roomToken } from './livekit-server.ts';

export interface Finished extends PlaybackFinished {
  /** performance.now() when the avatar's call arrived. */
  at: number;
}

/** What the agent sees of the avatar's published media. */
export interface Watched {
  frames: number;
  width: number;
  height: number;
  /** performance.now() of the first frame decoded. */
  firstFrameAt: number | null;
  /** Per 10 ms of the avatar's audio received: its mean absolute sample, and when it arrived. */
  audio: { at: number; level: number }[];
  /** The luma (Y plane) of the last frames decoded, oldest first (at most LUMA_KEPT). */
  lumas: Uint8Array[];
}

const LUMA_KEPT = 60;

/**
 * The agent's side of LiveKit's avatar protocol, with @livekit/rtc-node as LiveKit's own agents drive it: speech as
 * `lk.audio_stream` byte streams (faster than real time, in 20 ms chunks), `lk.clear_buffer`, and the avatar's
 * `lk.playback_finished` calls recorded. It also subscribes to the avatar and decodes what it publishes.
 */
export class TestAgent {
  readonly room = new Room();
  readonly finished: Finished[] = [];
  readonly started: number[] = [];
  readonly watched: Watched = { frames: 0, width: 0, height: 0, firstFrameAt: null, audio: [], lumas: [] };
  /** The avatar's debug events (`mouth`, `interrupted`), in the order sent, when its token asked for them. */
  readonly debugEvents: Record<string, unknown>[] = [];
  avatar: RemoteParticipant | null = null;
  /** Called with each decoded frame's luma as it arrives. */
  onFrame: ((luma: Uint8Array, at: number) => void) | null = null;
  private left = false;

  private constructor(readonly identity: string) {}

  static async join(url: string, roomName: string, identity = 'agent-1'): Promise<TestAgent> {
    const agent = new TestAgent(identity);
    const { room } = agent;
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _publication, participant: RemoteParticipant) => {
      agent.avatar = participant;
      agent.consume(track).catch(ignoreReleasedTrack);
    });
    room.on(RoomEvent.DataReceived, (payload: Uint8Array, _participant, _kind, topic?: string) => {
      if (topic === LIVEKIT_AVATAR.debugTopic) agent.debugEvents.push(JSON.parse(new TextDecoder().decode(payload)));
    });
    const token = await roomToken(roomName, identity, { kind: 'agent', canUpdateOwnMetadata: true });
    await room.connect(url, token, { autoSubscribe: true, dynacast: false });
    room.localParticipant!.registerRpcMethod(LIVEKIT_AVATAR.playbackFinished, async (data: RpcInvocationData) => {
      agent.finished.push({ ...(JSON.parse(data.payload) as PlaybackFinished), at: performance.now() });
      return 'ok';
    });
    room.localParticipant!.registerRpcMethod(LIVEKIT_AVATAR.playbackStarted, async () => {
      agent.started.push(performance.now());
      return 'ok';
    });
    return agent;
  }

  /** The avatar's room token, as a plugin mints it for this agent (`debug`: with the mouth on the debug topic). */
  avatarToken(roomName: string, identity = 'avatar-1', extra: { secret?: string; debug?: boolean } = {}): Promise<string> {
    const attributes: Record<string, string> = { [LIVEKIT_AVATAR.publishOnBehalf]: this.identity };
    if (extra.debug) attributes[LIVEKIT_AVATAR.debugAttribute] = 'mouth';
    return roomToken(roomName, identity, { kind: 'agent', attributes, secret: extra.secret });
  }

  /**
   * Sends one segment: PCM16 LE at `sampleRate`, in 20 ms chunks, `speedup` times faster than real time; closes the
   * stream (the segment's end) unless `keepOpen`. `attributes` replaces the format attributes (bad-input tests).
   */
  async speak(
    pcm: Uint8Array,
    options: { sampleRate?: number; channels?: number; speedup?: number; attributes?: Record<string, string>; stopAfterMs?: number } = {},
  ): Promise<void> {
    const sampleRate = options.sampleRate ?? 24000;
    const channels = options.channels ?? 1;
    const writer = await this.room.localParticipant!.streamBytes({
      name: `AUDIO_${Math.random().toString(36).slice(2)}`,
      topic: LIVEKIT_AVATAR.audioStreamTopic,
      destinationIdentities: [this.avatar?.identity ?? 'avatar-1'],
      attributes: options.attributes ?? { sample_rate: String(sampleRate), num_channels: String(channels) },
    });
    const chunk = (sampleRate / 50) * 2 * channels;
    const speedup = options.speedup ?? 5;
    const limit = options.stopAfterMs === undefined ? pcm.length : Math.min(pcm.length, Math.floor((options.stopAfterMs / 20) * chunk));
    // Paced against the clock, not by sleeps after each write, so a slow write does not slow the whole segment.
    const started = performance.now();
    for (let offset = 0, k = 1; offset < limit && !this.left; offset += chunk, k++) {
      try {
        await writer.write(pcm.subarray(offset, Math.min(limit, offset + chunk)));
      } catch (error) {
        if (this.left) return; // the room went away under a segment the test no longer waits for
        throw error;
      }
      const due = started + (k * 20) / speedup;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    if (!this.left) await writer.close();
  }

  clearBuffer(destination = this.avatar?.identity ?? 'avatar-1'): Promise<string> {
    return this.room.localParticipant!.performRpc({ destinationIdentity: destination, method: LIVEKIT_AVATAR.clearBuffer, payload: '' });
  }

  /** Waits for the `n`th playback_finished (1-based). */
  async finishedNumber(n: number, timeoutMs = 20_000): Promise<Finished> {
    const deadline = performance.now() + timeoutMs;
    while (this.finished.length < n) {
      if (performance.now() > deadline) throw new Error(`No playback_finished #${n} within ${timeoutMs} ms (got ${this.finished.length}).`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.finished[n - 1];
  }

  /** Leaves the room; a segment still being sent stops there. */
  async leave(): Promise<void> {
    this.left = true;
    await this.room.disconnect();
  }

  private async consume(track: RemoteTrack): Promise<void> {
    if (track.kind === TrackKind.KIND_VIDEO) {
      for await (const { frame } of iterate(new VideoStream(track))) {
        this.watched.frames++;
        this.watched.width = frame.width;
        this.watched.height = frame.height;
        this.watched.firstFrameAt ??= performance.now();
        const i420 = frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420);
        const luma = i420.data.slice(0, frame.width * frame.height);
        this.watched.lumas.push(luma);
        this.onFrame?.(luma, performance.now());
        if (this.watched.lumas.length > LUMA_KEPT) this.watched.lumas.shift();
      }
    } else if (track.kind === TrackKind.KIND_AUDIO) {
      for await (const frame of iterate(new AudioStream(track, 48000, 1))) {
        let sum = 0;
        for (const sample of frame.data) sum += Math.abs(sample);
        this.watched.audio.push({ at: performance.now(), level: sum / Math.max(1, frame.data.length) });
      }
    }
  }
}

/**
 * Passes over a track that was released before a stream could open on it: when the agent leaves the room (or the
 * avatar does) just as the track is subscribed, rtc-node refuses the track's handle. Anything else still fails the
 * run, as an unhandled rejection.
 */
export function ignoreReleasedTrack(error: unknown): void {
  if (error instanceof Error && error.message.includes('is not a livekit_ffi::server::room::FfiTrack')) return;
  throw error;
}

/** Node 20's ReadableStream is async-iterable, but TypeScript's DOM-less lib does not say so. */
async function* iterate<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}
