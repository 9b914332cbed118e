import type { VRM } from '@pixiv/three-vrm';
import { createVisemeAnalyzer, type VisemeAnalyzer, type VisemeFrame } from '../../lipsync/index.ts';
import { AvatarApiError } from '../api/avatars-client.ts';
import { fetchAsset, fetchAvatar, fetchPreviewUrl, resolveUrl, type ApiAccess } from './avatar-api.ts';
import {
  EMOTIONS,
  VISEME_NAMES,
  type AvatarDebugState,
  type AvatarObject,
  type AvatarRenderConfig,
  type AvatarViewOptions,
  type Emotion,
  type ExpressionName,
  type IdleMode,
  PORTRAIT_EMOTIONS,
  type SpeechSource,
  type VisemeName,
} from './avatar-types.ts';
import { FrameLoop } from './frame-loop.ts';
import { OrbStage } from './orb-stage.ts';
import { createSceneRenderer } from './scene-renderer.ts';
import { tapSpeech, type SpeechTap } from './speech-input.ts';
import { VideoStage } from './video-stage.ts';
import { parseVrm, VrmStage } from './vrm-stage.ts';
import { viewerTokenOf, watchLiveSession, type LiveSessionTicket, type WhepViewer } from './whep-client.ts';
import { type LiveKitRoomLike, type LiveKitWatchOptions, watchLiveKitAvatar } from './livekit-viewer.ts';

export const DEFAULT_CONFIG: AvatarRenderConfig = { resolution: '512x512', frameRate: 30, idleMotion: true };
const EMOTION_EASE = 0.15; // s: expressions glide instead of snapping
const SILENCE_EASE = 0.08; // s: the mouth closes this fast after speech ends

type HeardFrame = [number, VisemeFrame];

const zeroVisemes = (): Record<VisemeName, number> => ({ aa: 0, ih: 0, ou: 0, ee: 0, oh: 0 });
const zeroEmotions = (): Record<Emotion, number> => ({ happy: 0, angry: 0, sad: 0, relaxed: 0, surprised: 0 });

/**
 * Shows one avatar in a canvas (or a container it makes a canvas in): a VRM or an orb for Tier 1, a video for Tier 2/3.
 * Events: 'loaded' (detail: { avatar }), 'speaking' (detail: { speaking }), 'error' (detail: { message, code, status }),
 * 'ended' (detail: { reason }: the live session watched with joinSession ended, e.g. 'end', 'deleted', 'idle').
 */
export class AvatarView extends EventTarget {
  readonly container: HTMLElement;
  private canvas: HTMLCanvasElement;
  private readonly ownsCanvas: boolean;
  private stage: VrmStage | OrbStage | VideoStage | null = null;
  private readonly loop: FrameLoop;
  private idleMode: IdleMode;
  private config: AvatarRenderConfig = { ...DEFAULT_CONFIG };
  private emotionTarget = zeroEmotions();
  private emotionNow = zeroEmotions();
  private visemes = zeroVisemes();
  private speechFrame: VisemeFrame | null = null;
  private open = 0;
  private speech: SpeechTap | null = null;
  private analyzer: VisemeAnalyzer | null = null;
  /** Frames analysed but not yet heard, with the context time they are heard at. */
  private heard: HeardFrame[] = [];
  private audio: AudioContext | null = null;
  private frames = 0;
  private loadStarted = 0;
  private timings = { loadMs: 0, firstFrameMs: 0 };
  private loadSeq = 0;
  private viewer: WhepViewer | null = null;
  /** The live session shown (joinSession's ticket, or LiveKit's room), for setExpression on a portrait. */
  private live: { kind: 'whep'; ticket: LiveSessionTicket } | { kind: 'livekit' } | null = null;

  constructor(
    target: HTMLCanvasElement | HTMLElement,
    private readonly options: AvatarViewOptions = {},
  ) {
    super();
    this.idleMode = options.idle ?? 'natural';
    if (target instanceof HTMLCanvasElement) {
      this.canvas = target;
      this.container = target.parentElement ?? target;
      this.ownsCanvas = false;
    } else {
      this.container = target;
      this.canvas = this.makeCanvas();
      this.ownsCanvas = true;
    }
    this.loop = new FrameLoop((delta, t) => this.frame(delta, t));
  }

  /** The loaded VRM (three-vrm), for callers that want to go further; null for orbs and videos. */
  get vrm(): VRM | null {
    return this.stage instanceof VrmStage ? this.stage.vrm : null;
  }

  /** Loads an avatar object as the API returns it, or fetches one by id from `apiBase`. */
  async load(avatarOrId: AvatarObject | string): Promise<AvatarObject> {
    const seq = ++this.loadSeq;
    this.loadStarted = performance.now();
    this.frames = 0;
    try {
      const avatar: AvatarObject = typeof avatarOrId === 'string' ? await fetchAvatar(avatarOrId, this.access()) : avatarOrId;
      if (!avatar || typeof avatar !== 'object' || typeof avatar.tier !== 'string') {
        throw new AvatarApiError(0, { error: 'This is not an avatar object: it has no tier.', code: 'invalid-avatar' });
      }
      this.config = resolveConfig(avatar.config, this.options.config);
      const [w, h] = parseResolution(this.config.resolution);
      if (avatar.tier === 'stylized_3d') {
        if (avatar.renderStyle === 'orb') {
          this.replaceStage(
            seq,
            () => new OrbStage(this.renderer(w, h), avatar.orbColor ?? '#22d3ee', avatar.orbSize ?? 0.6, this.idleOn()),
          );
        } else {
          if (!avatar.sourceModel)
            throw new AvatarApiError(0, { error: 'This avatar has no VRM model yet: upload one first.', code: 'no-source' });
          const vrm = await parseVrm(await fetchAsset(avatar.sourceModel, this.access()));
          this.replaceStage(seq, () =>
            VrmStage.create(
              this.freshCanvas(),
              vrm,
              w,
              h,
              !!this.options.transparent,
              this.background(),
              this.idleOn() ? 'natural' : 'still',
            ),
          );
        }
      } else {
        const url = avatar.previewUrl ?? (avatar._id ? await fetchPreviewUrl(avatar._id, this.access()) : null);
        if (!url) throw new AvatarApiError(0, { error: 'This avatar has no preview to play.', code: 'no-preview' });
        const stage = this.replaceStage(seq, () => new VideoStage(this.container, w, h)) as VideoStage;
        await stage.playUrl(resolveUrl(url, this.options.apiBase));
      }
      this.loop.setFrameRate(this.config.frameRate);
      this.timings.loadMs = performance.now() - this.loadStarted;
      this.loop.start();
      this.emit('loaded', { avatar });
      return avatar;
    } catch (err) {
      if (seq === this.loadSeq) this.emitError(err);
      throw err;
    }
  }

  /** Lip-syncs to speech while it plays; resolves when it ends. A new call replaces speech still playing. */
  async speak(source: SpeechSource): Promise<void> {
    this.stopSpeaking();
    const audio = (this.audio ??= new AudioContext());
    // One analyzer for the view's life: each utterance starts with the speaker it has learned, not cold.
    const analyzer = (this.analyzer ??= createVisemeAnalyzer({ sampleRate: audio.sampleRate }));
    analyzer.reset(true);
    const queue: HeardFrame[] = (this.heard = []);
    let samples = 0;
    const tap = await tapSpeech(audio, source, (chunk, heardEnd) => {
      samples += chunk.length;
      // A frame's audio is heard at the context time its window's centre goes out.
      for (const f of analyzer.push(chunk)) queue.push([heardEnd - samples / audio.sampleRate + f.time, f]);
    });
    this.speech = tap;
    this.emit('speaking', { speaking: true });
    await tap.done;
    if (this.speech === tap) {
      this.speech = null;
      this.speechFrame = null;
      this.emit('speaking', { speaking: false });
    }
  }

  stopSpeaking(): void {
    const tap = this.speech;
    if (!tap) return;
    this.speech = null;
    this.speechFrame = null;
    this.heard = [];
    tap.stop();
    this.emit('speaking', { speaking: false });
  }

  /**
   * Sets an emotion's weight 0..1 ('neutral' clears them all). A VRM shows it at once, blended with lip-sync and blinking
   * (several emotions may blend; `thinking` shows as `relaxed`). A portrait's live session (joinSession with the agent
   * `token` in the ticket) shows one emotion at a time at that intensity, as the agent's `expression` message does
   * (neutral, happy, sad, surprised, angry, thinking): the promise settles once the rendering container has it.
   * An unknown name or weight throws a RangeError at once.
   */
  setExpression(name: ExpressionName, weight = 1): Promise<void> {
    if (this.stage instanceof VideoStage && this.live) return this.sendExpression(name, weight);
    const preset = name === 'thinking' ? 'relaxed' : name;
    if (preset === 'neutral') {
      this.emotionTarget = zeroEmotions();
      return Promise.resolve();
    }
    if (!(EMOTIONS as readonly string[]).includes(preset)) {
      throw new RangeError(`Unknown expression "${name}": use one of ${EMOTIONS.join(', ')} or neutral.`);
    }
    if (!Number.isFinite(weight)) throw new RangeError(`The weight of ${name} must be a number from 0 to 1.`);
    this.emotionTarget[preset] = Math.min(1, Math.max(0, weight));
    return Promise.resolve();
  }

  /** A portrait's emotion goes to its rendering container through the API, with the session's agent token. */
  private sendExpression(name: ExpressionName, weight: number): Promise<void> {
    if (!(PORTRAIT_EMOTIONS as readonly string[]).includes(name)) {
      throw new RangeError(`Unknown expression "${name}" for a portrait: use one of ${PORTRAIT_EMOTIONS.join(', ')}.`);
    }
    if (!Number.isFinite(weight)) throw new RangeError(`The weight of ${name} must be a number from 0 to 1.`);
    const live = this.live!;
    const refuse = (error: string, code: string) => {
      const refusal = new AvatarApiError(0, { error, code });
      this.emitError(refusal);
      return Promise.reject(refusal);
    };
    if (live.kind === 'livekit') {
      return refuse("On LiveKit the agent sets the portrait's expression (its lk.expression attribute).", 'not-supported');
    }
    const token = live.ticket.token;
    if (!token) {
      return refuse(
        "Setting a live portrait's expression needs the session's agent token: pass { whepUrl, viewerToken, token } to joinSession.",
        'unauthorized',
      );
    }
    const url = live.ticket.whepUrl.replace(/\/whep\/?$/, '/expression');
    const intensity = Math.min(1, Math.max(0, weight));
    return (this.options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, intensity }),
    }).then(async (response) => {
      if (response.ok) return;
      const body = await response
        .json()
        .catch(() => ({ error: `The expression was refused (HTTP ${response.status}).`, code: 'internal' }));
      const error = new AvatarApiError(response.status, body);
      this.emitError(error);
      throw error;
    });
  }

  setIdle(mode: IdleMode): void {
    if (mode !== 'natural' && mode !== 'still') throw new RangeError(`Idle must be "natural" or "still", not "${mode}".`);
    this.idleMode = mode;
    if (this.stage instanceof VrmStage) this.stage.idle.setMode(this.idleOn() ? 'natural' : 'still', performance.now() / 1000);
    if (this.stage instanceof OrbStage) this.stage.setIdle(this.idleOn());
  }

  /**
   * Shows a live session (Tier 3) in this view: `whepUrl` and `viewerToken` as POST /avatars/:id/sessions
   * answered them. The face speaks whatever the agent streams to the session. When the session ends, the view stops
   * watching, shows nothing more of it (no frozen last frame) and emits 'ended' with its reason.
   */
  async joinSession(session: LiveSessionTicket): Promise<void> {
    await this.leaveSession();
    let shown: unknown;
    try {
      this.viewer = await watchLiveSession(session.whepUrl, viewerTokenOf(session), (reason) => {
        this.viewer = null;
        this.live = null;
        if (this.stage === shown) {
          this.stage?.dispose();
          this.stage = null;
        }
        this.emit('ended', { reason });
      });
      await this.playStream(this.viewer.stream);
      shown = this.stage;
      this.live = { kind: 'whep', ticket: { ...session } };
    } catch (error) {
      this.emitError(error);
      throw error;
    }
  }

  /**
   * Shows an agent's avatar from a LiveKit room the app has connected (livekit-client's `Room`): the participant whose
   * `lk.publish_on_behalf` attribute names `agentIdentity`, video and audio. A LiveKit session of the API
   * (`"transport": "livekit"`) publishes there.
   */
  async joinLiveKit(room: LiveKitRoomLike, options: LiveKitWatchOptions = {}): Promise<void> {
    await this.leaveSession();
    try {
      this.viewer = await watchLiveKitAvatar(room, options);
      await this.playStream(this.viewer.stream);
      this.live = { kind: 'livekit' };
    } catch (error) {
      this.emitError(error);
      throw error;
    }
  }

  /** Stops watching the live session (WHEP or LiveKit), if any. */
  async leaveSession(): Promise<void> {
    const viewer = this.viewer;
    this.viewer = null;
    this.live = null;
    await viewer?.close();
  }

  async playStream(stream: MediaStream): Promise<void> {
    const [w, h] = parseResolution(this.config.resolution);
    const stage = this.replaceStage(++this.loadSeq, () => new VideoStage(this.container, w, h)) as VideoStage;
    await stage.playStream(stream);
  }

  debugState(): AvatarDebugState {
    const stage = this.stage;
    const frame = this.speechFrame;
    return {
      kind: stage instanceof VrmStage ? 'vrm' : stage instanceof OrbStage ? 'orb' : stage instanceof VideoStage ? 'video' : 'none',
      loaded: stage !== null,
      speaking: this.speech !== null,
      idle: this.idleMode,
      frames: this.frames,
      expressions: stage instanceof VrmStage ? stage.face.current() : {},
      visemes: { ...this.visemes },
      open: this.open,
      viseme: frame?.viseme ?? 'closed',
      visemeMap: stage instanceof VrmStage ? { ...stage.face.visemeMap } : { aa: '', ih: '', ou: '', ee: '', oh: '' },
      canvas: { width: this.canvas.width, height: this.canvas.height },
      ...(stage instanceof OrbStage ? { orb: stage.pulse() } : {}),
      timings: { ...this.timings },
    };
  }

  dispose(): void {
    void this.leaveSession();
    this.loop.stop();
    this.stopSpeaking();
    this.stage?.dispose();
    this.stage = null;
    void this.audio?.close();
    this.audio = null;
    if (this.ownsCanvas) this.canvas.remove();
  }

  private frame(delta: number, t: number): void {
    const stage = this.stage;
    if (!stage || stage instanceof VideoStage) return;
    const ease = (tau: number) => 1 - Math.exp(-delta / tau);
    for (const e of EMOTIONS) this.emotionNow[e] += (this.emotionTarget[e] - this.emotionNow[e]) * ease(EMOTION_EASE);
    const audio = this.audio;
    if (audio && this.speech) {
      // The mouth of what is heard now (the output timestamp says when the context's samples leave the speakers),
      // looking ahead half a hop (the nearest frame, not the last) and half a drawing period (the middle of the time
      // this drawing is on screen).
      const out = audio.getOutputTimestamp();
      const now = out.performanceTime ? out.contextTime! + (performance.now() - out.performanceTime) / 1000 : audio.currentTime;
      const ahead = now + 0.005 + 0.5 / this.config.frameRate;
      while (this.heard[0]?.[0] <= ahead) this.speechFrame = this.heard.shift()![1];
    }
    const frame = this.speechFrame;
    const k = frame ? 1 : ease(SILENCE_EASE);
    for (const v of VISEME_NAMES) this.visemes[v] += ((frame?.weights[v] ?? 0) - this.visemes[v]) * k;
    this.open += ((frame?.open ?? 0) - this.open) * k;
    if (stage instanceof VrmStage) stage.frame(delta, t, { emotions: this.emotionNow, visemes: this.visemes, open: this.open });
    else stage.frame(delta, t, this.open);
    if (this.frames++ === 0) this.timings.firstFrameMs = performance.now() - this.loadStarted;
  }

  private replaceStage(seq: number, make: () => VrmStage | OrbStage | VideoStage): VrmStage | OrbStage | VideoStage {
    // A newer load() finished first: this one's result is dropped.
    if (seq !== this.loadSeq) throw new AvatarApiError(0, { error: 'Replaced by a newer load().', code: 'superseded' });
    this.stage?.dispose();
    this.stage = null;
    const stage = make();
    this.canvas.style.display = stage instanceof VideoStage ? 'none' : '';
    this.stage = stage;
    return stage;
  }

  private renderer(w: number, h: number) {
    return createSceneRenderer(this.freshCanvas(), w, h, !!this.options.transparent, this.background());
  }

  /** A WebGL context keeps the attributes (alpha) of its first use, so each stage gets a canvas of its own. */
  private freshCanvas(): HTMLCanvasElement {
    if (this.ownsCanvas) {
      const next = this.makeCanvas();
      this.canvas.replaceWith(next);
      this.canvas = next;
    }
    return this.canvas;
  }

  private makeCanvas(): HTMLCanvasElement {
    const canvas = document.createElement('canvas');
    canvas.style.cssText = 'width:100%;height:100%;display:block';
    if (!this.canvas) this.container.appendChild(canvas);
    return canvas;
  }

  private idleOn(): boolean {
    return this.idleMode === 'natural' && this.config.idleMotion !== false;
  }

  private background(): string {
    return this.options.background ?? '#e2e8f0';
  }

  private access(): ApiAccess {
    const { apiBase, apiKey, token, fetch } = this.options;
    return { apiBase, apiKey, token, fetch };
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private emitError(err: unknown): void {
    const e = err as Partial<AvatarApiError>;
    this.emit('error', { message: e.message ?? String(err), code: e.code ?? 'internal', status: e.status ?? 0 });
  }
}

export function resolveConfig(...layers: Array<Partial<AvatarRenderConfig> | undefined>): AvatarRenderConfig {
  const out = { ...DEFAULT_CONFIG };
  for (const layer of layers) {
    if (!layer) continue;
    if (typeof layer.resolution === 'string') out.resolution = layer.resolution;
    if (typeof layer.frameRate === 'number' && layer.frameRate > 0) out.frameRate = layer.frameRate;
    if (typeof layer.idleMotion === 'boolean') out.idleMotion = layer.idleMotion;
  }
  return out;
}

/** "512x512" -> [512, 512]; anything unreadable falls back to 512x512 rather than a blank view. */
export function parseResolution(resolution: string): [number, number] {
  const m = /^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$/.exec(resolution);
  if (!m) return [512, 512];
  const w = Number(m[1]),
    h = Number(m[2]);
  if (w < 16 || h < 16 || w > 4096 || h > 4096) return [512, 512];
  return [w, h];
}
