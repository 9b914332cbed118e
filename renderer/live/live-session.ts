import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { MediaStreamTrack, nonstandard, RTCPeerConnection } from '@roamhq/wrtc';
import type { MouthInput } from '../engine/face-rig.ts';
import type { PortraitAnimator } from '../engine/portrait-animator.ts';
import { SpeechMotion } from '../engine/speech-motion.ts';
import { rgbaToI420 } from './rgba-to-i420.ts';
import { CLOSE, type SessionEndReason, type Transport } from '../../contract/live-sessions.ts';
import type { ExpressionRequest } from '../../contract/expressions.ts';
import { ExpressionEasing } from './expression-easing.ts';
import { SessionMetrics, type MetricsEvent } from './session-metrics.ts';
import { SpeechPlayout, type PlayoutSlot, type SegmentEnd } from './speech-playout.ts';
import type { SpokenWord } from './speech-protocol.ts';
import { rendererPhonemizer } from '../phonemes/renderer-phonemizer.ts';
import { UpsampleTo48k } from './upsample-to-48k.ts';
import { answerWhepOffer } from './whep-viewer.ts';
import { loadWrtc } from './wrtc-binding.ts';

const SLOT_MS = 10;
const METRICS_EVERY_MS = 2000;
/** An utterance counts as finished once the agent has sent nothing for this long after its last sample played. */
const FINISH_AFTER_MS = 250;

export type { SessionEndReason };

/** What a session token may do: the agent's speaks (and may watch), the viewers' only watches. */
export type TokenRole = 'agent' | 'viewer';

/** Events the session sends to the agent's socket (docs/live-sessions.md). */
export type SessionEvent =
  | { type: 'ready'; sessionId: string; width: number; height: number; frameRate: number; jitterMs: number }
  | { type: 'playback_started' }
  /** `interrupted`: the speech did not play to its end (its agent's connection dropped; `droppedMs` were not played). */
  | { type: 'playback_finished'; interrupted: boolean; droppedMs?: number }
  | { type: 'interrupted'; droppedMs: number }
  | MetricsEvent
  | {
      type: 'mouth';
      atMs: number;
      /** Where in the speech received since the session began the mouth's sound lies (ms), or null in silence. */
      speechMs: number | null;
      open: number;
      visemes: NonNullable<MouthInput['visemes']> | null;
      consonants: NonNullable<MouthInput['consonants']> | null;
      speaking: boolean;
    }
  | { type: 'ended'; reason: SessionEndReason }
  | { type: 'error'; message: string };

/** The agent's end of the session: the speech socket, or the agent in a LiveKit room. */
export interface SpeakerLink {
  send(event: SessionEvent): void;
  close(code: number, reason: string): void;
  /** A segment closed with endSegment() played out; only LiveKit's agents speak in segments. */
  segmentEnded?(end: SegmentEnd): void;
}

/** One 10 ms slot of the playout clock (buffers are reused: copy them to keep them). */
export interface AudioSlot {
  /** Mono PCM16 at 48 kHz, as WebRTC sends it. */
  pcm48k: Int16Array;
  /** The same at the agent's own rate. */
  pcm: Int16Array;
  sampleRate: number;
  /** The slot's start on the session's clock (ms since it began). */
  atMs: number;
}

/** One frame drawn at the avatar's size (buffers reused likewise). */
export interface DrawnFrame {
  rgba: Uint8Array;
  width: number;
  height: number;
  /** The frame as I420, converted on the first call of the frame. */
  i420(): Uint8Array;
  atMs: number;
}

/** Where the session's media goes besides its WHEP viewers: a LiveKit room, or the agent's own socket. */
export interface MediaOutput {
  audio(slot: AudioSlot): void;
  video(frame: DrawnFrame): void;
}

/** What an interruption cut off. */
export interface Interruption {
  droppedMs: number;
  /** Seconds played of the segment under way, or null when none was. */
  segmentPlayedSeconds: number | null;
}

export interface LiveSessionOptions {
  id: string;
  transport: Transport;
  token: string;
  viewerToken: string;
  animator: PortraitAnimator;
  maxSessionSeconds: number;
  maxIdleSeconds: number;
  maxQueuedSpeechSeconds: number;
  reconnectGraceSeconds: number;
  jitterMs: number;
  maxViewers: number;
  iceHosts: readonly string[] | null;
  /** The emotion the face shows from the first frame (the session request's), until the agent sets another. */
  expression?: ExpressionRequest;
  onEnded(session: LiveSession, reason: SessionEndReason): void;
}

interface Viewer {
  pc: RTCPeerConnection;
  tracks: MediaStreamTrack[];
  connectedAt: number | null;
  createdAt: number;
}

interface Sources {
  video: nonstandard.RTCVideoSource;
  audio: nonstandard.RTCAudioSource;
}

const SILENCE_48K = new Int16Array(480);

/**
 * One live session: a playout clock that hands 10 ms of speech (or silence) to the audio track and, at the
 * avatar's frame rate, the frame whose mouth belongs to the speech just handed over, to every viewer.
 * Frames are drawn while anyone listens (a viewer or the agent); between utterances the face idles.
 */
export class LiveSession {
  readonly id: string;
  readonly createdAt = performance.now();
  private readonly animator: PortraitAnimator;
  private readonly rgba: Uint8Array;
  private readonly i420: Uint8Array;
  private readonly frameMs: number;
  private readonly viewers = new Map<string, Viewer>();
  private readonly outputs = new Set<MediaOutput>();
  private sources: Sources | null = null;
  private speakerLink: SpeakerLink | null = null;
  private playout: SpeechPlayout | null = null;
  private upsampler: UpsampleTo48k | null = null;
  private debugMouth = false;
  private endWhenDrained = false;
  private ended = false;
  private nextSlotAt: number;
  private nextFrameAt: number;
  private nextMetricsAt: number;
  private lastActivity: number;
  private lastSlot: { mouth: MouthInput | null; speechSample: number | null; slotAt: number } = {
    mouth: null,
    speechSample: null,
    slotAt: 0,
  };
  private timer: NodeJS.Timeout | null = null;
  private readonly lifetime: NodeJS.Timeout;
  /** Runs while the agent's connection is down: the session ends (`agent-left`) unless it comes back first. */
  private graceTimer: NodeJS.Timeout | null = null;
  /** Speech dropped when the agent's connection went down, reported when it is back. */
  private cutWhileAway: Interruption | null = null;
  /** The emotion the agent set (the `expression` message, LiveKit's `lk.expression`); it outlives utterances. */
  private readonly expression = new ExpressionEasing();
  readonly metrics = new SessionMetrics();
  /** The head, brows and blinks of the face that talks (from the speech played) and listens (between utterances). */
  private readonly talk: SpeechMotion | null;
  /**
   * RGBA to I420 for the encoders: libyuv's (through the WebRTC binding) once loaded, about 20 times cheaper than the
   * TypeScript one, which converts the frames drawn before that.
   */
  private toI420: (rgba: Uint8Array, width: number, height: number, out: Uint8Array) => unknown = rgbaToI420;
  private loadingI420 = false;

  constructor(private readonly options: LiveSessionOptions) {
    this.id = options.id;
    this.animator = options.animator;
    // An avatar without idle motion keeps a still head while it listens and talks too; only the mouth and emotions move.
    this.talk = options.animator.idleMotion ? new SpeechMotion(options.animator.seed) : null;
    this.rgba = new Uint8Array(this.animator.width * this.animator.height * 4);
    this.i420 = new Uint8Array((this.animator.width * this.animator.height * 3) / 2);
    this.frameMs = 1000 / this.animator.frameRate;
    this.nextSlotAt = this.createdAt;
    this.nextFrameAt = this.createdAt;
    this.nextMetricsAt = this.createdAt + METRICS_EVERY_MS;
    this.lastActivity = this.createdAt;
    this.lifetime = setTimeout(() => this.end('max-session'), options.maxSessionSeconds * 1000);
    // Set as of a second before the session's clock starts: fully eased in by the first frame.
    if (options.expression) this.expression.set(options.expression, -1);
    this.schedule();
  }

  /** Which of the session's two tokens `given` is, or null (compared in constant time). */
  roleOf(given: string): TokenRole | null {
    if (sameToken(given, this.options.token)) return 'agent';
    if (sameToken(given, this.options.viewerToken)) return 'viewer';
    return null;
  }

  get hasSpeaker(): boolean {
    return this.speakerLink !== null;
  }

  get transport(): Transport {
    return this.options.transport;
  }

  get size(): { width: number; height: number } {
    return { width: this.animator.width, height: this.animator.height };
  }

  get frameRate(): number {
    return this.animator.frameRate;
  }

  get maxIdleMs(): number {
    return this.options.maxIdleSeconds * 1000;
  }

  get reconnectGraceMs(): number {
    return this.options.reconnectGraceSeconds * 1000;
  }

  /** Speech the agent may queue ahead of playout before its socket is closed (4009). */
  get maxQueuedMs(): number {
    return this.options.maxQueuedSpeechSeconds * 1000;
  }

  /** The agent's declared sample rate, or null before its first `start`. */
  get sampleRate(): number | null {
    return this.playout?.sampleRate ?? null;
  }

  get queuedMs(): number {
    return this.playout?.queuedMs ?? 0;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /**
   * The agent's connection. One at a time: a newer one takes over (an agent whose old socket hung half-open must
   * be able to come back), and the older one is closed with 4008.
   */
  attachSpeaker(link: SpeakerLink): void {
    const previous = this.speakerLink;
    this.speakerLink = link;
    // The new connection declares its own debug in `start`: until then it gets no `mouth` events (nor before `ready`).
    this.debugMouth = false;
    this.stopGrace();
    if (previous) {
      const message = 'A newer connection with the agent token took this session over.';
      previous.send({ type: 'error', message });
      previous.close(CLOSE.replaced, message);
    }
  }

  /**
   * An agent's connection went away (closed, dropped, or closed for bad input): the session and its viewers go on,
   * with the idle face, for `reconnectGraceSeconds`. The speech it had queued is dropped (nobody would hear of its end),
   * and reported when the agent is back (agentBack); a session asked to `end` still plays it out.
   */
  speakerLeft(link: SpeakerLink): void {
    if (this.speakerLink !== link) return;
    this.speakerLink = null;
    this.agentAway();
  }

  /** The agent is gone (its socket, or its participant in a LiveKit room): drop its speech and start the grace. */
  agentAway(): void {
    if (this.ended || this.endWhenDrained || this.graceTimer) return;
    const cut = this.interrupt();
    if (cut.droppedMs > 0 || cut.segmentPlayedSeconds !== null) this.cutWhileAway = cut;
    this.graceTimer = setTimeout(() => this.end('agent-left'), this.reconnectGraceMs);
  }

  /** The agent is back in time: the session goes on. Returns what was cut while it was away, once, if anything. */
  agentBack(): Interruption | null {
    this.stopGrace();
    const cut = this.cutWhileAway;
    this.cutWhileAway = null;
    return cut;
  }

  /**
   * The agent declared its format: speech may flow from now on. An agent that connects again sends `start` again;
   * at the same rate its queued speech plays on, at another rate it is dropped.
   */
  start(sampleRate: number, debugMouth: boolean): void {
    this.debugMouth = debugMouth;
    const { width, height, frameRate } = this.animator;
    const ready: SessionEvent = { type: 'ready', sessionId: this.id, width, height, frameRate, jitterMs: this.options.jitterMs };
    if (this.playout?.sampleRate === sampleRate) {
      this.send(ready);
      return this.reportCut();
    }
    if (this.playout) this.interrupt();
    this.playout = new SpeechPlayout({
      sampleRate,
      jitterMs: this.options.jitterMs,
      finishAfterMs: FINISH_AFTER_MS,
      onEvent: (type) => this.send(type === 'playback_finished' ? { type, interrupted: false } : { type }),
      onSegmentEnd: (end) => this.speakerLink?.segmentEnded?.(end),
      phonemizer: rendererPhonemizer,
    });
    this.upsampler = new UpsampleTo48k(sampleRate);
    this.send(ready);
    this.reportCut();
  }

  /** After `ready` on a reconnection: the speech its dropped connection had queued did not play. */
  private reportCut(): void {
    const cut = this.agentBack();
    if (cut) this.send({ type: 'playback_finished', interrupted: true, droppedMs: Math.round(cut.droppedMs) });
  }

  private stopGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  receiveSpeech(pcm: Uint8Array): void {
    if (!this.playout) throw new Error('Speech before start.');
    const now = performance.now();
    this.lastActivity = now;
    this.playout.receive(pcm, now);
  }

  /** The face shows this emotion from now on, eased in over a quarter second; `neutral` clears it. */
  setExpression(request: ExpressionRequest): void {
    this.lastActivity = performance.now();
    this.expression.set(request, (this.lastActivity - this.createdAt) / 1000);
  }

  /**
   * The agent's timed words (a `text` message): the mouth follows their phonemes where they cover the speech. Their
   * time 0 is the next sample received, or `origin` (a speechSamples position: a LiveKit segment's first sample).
   */
  receiveText(words: readonly SpokenWord[], origin?: number): void {
    this.lastActivity = performance.now();
    this.playout?.text(words, origin);
  }

  /** Samples of speech received since the session began (at its rate): the position of the next one. */
  get speechSamples(): number {
    return this.playout?.receivedSamples ?? 0;
  }

  /** Ends the segment of speech that is arriving (a LiveKit audio stream closed): the agent hears when it played. */
  endSegment(): void {
    this.playout?.endSegment();
  }

  interrupt(): Interruption {
    if (!this.playout) return { droppedMs: 0, segmentPlayedSeconds: null };
    const segmentPlayedSeconds = this.playout.segmentPlayedSeconds;
    const droppedMs = this.playout.interrupt();
    // The mouth closes on the very next frame: forget the slot whose mouth it would otherwise show.
    this.lastSlot = { mouth: null, speechSample: null, slotAt: this.lastSlot.slotAt };
    this.send({ type: 'interrupted', droppedMs: Math.round(droppedMs) });
    return { droppedMs, segmentPlayedSeconds };
  }

  /** Sends the session's frames and audio to `output` too, until removed; the session counts as watched meanwhile. */
  addOutput(output: MediaOutput): void {
    this.outputs.add(output);
    this.lastActivity = performance.now();
    this.schedule();
  }

  removeOutput(output: MediaOutput): void {
    this.outputs.delete(output);
    this.lastActivity = performance.now();
  }

  /** The metrics as of now, without starting a new window (GET /sessions/:id). */
  metricsNow(): MetricsEvent {
    return this.metrics.snapshot(performance.now(), this.viewers.size, this.playout);
  }

  /** Plays what is queued, then ends the session. */
  finish(): void {
    this.endWhenDrained = true;
    this.schedule();
  }

  async addViewer(offerSdp: string): Promise<{ viewerId: string; answerSdp: string }> {
    if (this.viewers.size >= this.options.maxViewers) throw new Error(`This session already has ${this.options.maxViewers} viewers.`);
    const createdAt = performance.now();
    const sources = await this.ensureSources();
    const tracks = [sources.video.createTrack(), sources.audio.createTrack()];
    const { pc, answerSdp } = await answerWhepOffer(offerSdp, tracks, this.options.iceHosts).catch((error: unknown) => {
      for (const track of tracks) track.stop();
      throw error;
    });
    if (this.ended) {
      pc.close();
      throw new Error('The session ended.');
    }
    const viewerId = randomUUID();
    const viewer: Viewer = { pc, tracks, connectedAt: null, createdAt };
    this.viewers.set(viewerId, viewer);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected' && viewer.connectedAt === null) viewer.connectedAt = performance.now();
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') this.removeViewer(viewerId);
    });
    this.lastActivity = performance.now();
    this.schedule();
    return { viewerId, answerSdp };
  }

  removeViewer(viewerId: string): boolean {
    const viewer = this.viewers.get(viewerId);
    if (!viewer) return false;
    this.viewers.delete(viewerId);
    for (const track of viewer.tracks) track.stop();
    viewer.pc.close();
    this.lastActivity = performance.now();
    return true;
  }

  end(reason: SessionEndReason): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.stopGrace();
    clearTimeout(this.lifetime);
    this.send(this.metrics.event(performance.now(), this.viewers.size, this.playout));
    this.send({ type: 'ended', reason });
    this.speakerLink?.close(1000, reason);
    this.speakerLink = null;
    for (const id of [...this.viewers.keys()]) this.removeViewer(id);
    this.outputs.clear();
    this.options.onEnded(this, reason);
  }

  send(event: SessionEvent): void {
    this.speakerLink?.send(event);
  }

  private async ensureSources(): Promise<Sources> {
    if (!this.sources) {
      const wrtc = await loadWrtc();
      // No denoising: the frames are drawn, not shot, so VP8's denoiser has no noise to take out. Left on (libwebrtc's
      // default for a camera), it took 28% of the CPU of each viewer's VP8 encode (two speaking sessions on one core).
      this.sources ??= {
        video: new wrtc.nonstandard.RTCVideoSource({ needsDenoising: false }),
        audio: new wrtc.nonstandard.RTCAudioSource(),
      };
    }
    return this.sources;
  }

  /** The frame into `this.i420`. The first call loads the binding (a session that never needs I420 never does). */
  private convertToI420(width: number, height: number): void {
    if (!this.loadingI420) {
      this.loadingI420 = true;
      loadWrtc().then(
        (wrtc) => {
          this.toI420 = (rgba, w, h, out) =>
            wrtc.nonstandard.rgbaToI420({ width: w, height: h, data: rgba }, { width: w, height: h, data: out });
        },
        () => {}, // No binding: WHEP cannot work either (addViewer says why); other outputs keep the TypeScript conversion.
      );
    }
    this.toI420(this.rgba, width, height, this.i420);
  }

  private schedule(): void {
    if (this.ended) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.nextSlotAt, this.nextFrameAt) - performance.now());
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = null;
    if (this.ended) return;
    const now = performance.now();
    while (this.nextSlotAt <= now) {
      this.playSlot(this.playout ? this.playout.next(this.nextSlotAt) : null, this.nextSlotAt);
      this.nextSlotAt += SLOT_MS;
    }
    if (this.nextFrameAt <= now) {
      const late = Math.floor((now - this.nextFrameAt) / this.frameMs);
      if (late > 0) {
        this.metrics.skipped(late);
        this.nextFrameAt += late * this.frameMs;
      }
      this.drawFrame(this.nextFrameAt);
      this.nextFrameAt += this.frameMs;
    }
    if (now >= this.nextMetricsAt) {
      this.nextMetricsAt += METRICS_EVERY_MS;
      this.send(this.metrics.event(now, this.viewers.size, this.playout));
    }
    const speaking = this.playout?.speaking ?? false;
    if (this.viewers.size > 0 || this.outputs.size > 0 || speaking) this.lastActivity = now;
    if (this.endWhenDrained && !speaking) return this.end('end');
    if (now - this.lastActivity > this.options.maxIdleSeconds * 1000) return this.end('idle');
    this.schedule();
  }

  private playSlot(slot: PlayoutSlot | null, slotAt: number): void {
    if (slot) this.lastSlot = { mouth: slot.mouth, speechSample: slot.speechSample, slotAt };
    this.talk?.push(slot?.samples ?? null, this.playout?.sampleRate ?? 48000, (slotAt - this.createdAt) / 1000);
    const toViewers = this.viewers.size > 0 && this.sources !== null;
    if (!toViewers && this.outputs.size === 0) return;
    const samples = slot && this.upsampler ? this.upsampler.process(slot.samples) : SILENCE_48K;
    if (toViewers) this.sources!.audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
    if (this.outputs.size === 0) return;
    const audio: AudioSlot = {
      pcm48k: samples,
      pcm: slot?.samples ?? SILENCE_48K,
      sampleRate: slot ? this.playout!.sampleRate : 48000,
      atMs: slotAt - this.createdAt,
    };
    for (const output of this.outputs) output.audio(audio);
  }

  private drawFrame(frameAt: number): void {
    const watched = this.viewers.size > 0 && this.sources !== null;
    if (!watched && this.outputs.size === 0 && !this.speakerLink) return;
    const { mouth, speechSample, slotAt } = this.lastSlot;
    const t = (frameAt - this.createdAt) / 1000;
    this.animator.frameInto(this.rgba, t, mouth ?? undefined, { expression: this.expression.weightsAt(t), talk: this.talk?.at(t) });
    const { width, height } = this.animator;
    let converted = false;
    const i420 = (): Uint8Array => {
      if (!converted) this.convertToI420(width, height);
      converted = true;
      return this.i420;
    };
    if (watched) this.sources!.video.onFrame({ width, height, data: i420() });
    if (this.outputs.size > 0) {
      const frame: DrawnFrame = { rgba: this.rgba, width, height, i420, atMs: frameAt - this.createdAt };
      for (const output of this.outputs) output.video(frame);
    }
    const out = performance.now();
    for (const viewer of this.viewers.values()) {
      if (viewer.connectedAt !== null && this.metrics.timeToFirstFrameMs === null) this.metrics.firstFrame(out - viewer.createdAt);
    }
    // Skew: the frame's place on the playout clock against the slot whose speech its mouth shows.
    const arrival = speechSample !== null && this.playout ? this.playout.arrivalOf(speechSample) : null;
    this.metrics.frame(out, arrival === null ? null : out - arrival, speechSample === null ? null : frameAt - (slotAt + SLOT_MS / 2));
    if (this.debugMouth) {
      this.send({
        type: 'mouth',
        atMs: Math.round(frameAt - this.createdAt),
        speechMs: speechSample === null || !this.playout ? null : Math.round((speechSample / this.playout.sampleRate) * 1000),
        open: mouth?.open ?? 0,
        visemes: mouth?.visemes ?? null,
        consonants: mouth?.consonants ?? null,
        speaking: this.playout?.speaking ?? false,
      });
    }
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
