/**
 * Every environment variable the rendering container reads (docs/renderer.md). The API's orchestrators write
 * them with one function (src/orchestrators/renderer-environment.ts); the renderer reads them in one place
 * (renderer/config.ts).
 */
export const RENDERER_ENV = {
  /** Address to listen on (default 127.0.0.1). */
  host: 'RENDERER_HOST',
  /** Port to listen on; 0 picks a free one, reported on stdout. */
  port: 'RENDERER_PORT',
  /** The Bearer secret of every call from the API (at least 8 characters). */
  secret: 'RENDERER_SECRET',
  avatarId: 'AVATAR_ID',
  /** The preprocessed portrait: a file path or an http(s) URL. */
  portraitImage: 'PORTRAIT_IMAGE',
  /** Its face.json (FaceGeometry): a file path or an http(s) URL. */
  portraitFace: 'PORTRAIT_FACE',
  /** The avatar's RenderConfig as JSON. */
  renderConfig: 'RENDER_CONFIG',
  /** Seed of the idle motion (default: from the avatar id). */
  seed: 'RENDER_SEED',
  /** Concurrent live sessions (default 4). */
  maxSessions: 'MAX_SESSIONS',
  /** Viewers per live session (default 4). */
  maxViewers: 'MAX_VIEWERS_PER_SESSION',
  /** Delay before speech plays, the same for audio and mouth (default 80 ms). */
  jitterMs: 'LIVE_JITTER_MS',
  /** ICE host addresses offered and accepted, comma-separated (default: every interface). */
  iceHosts: 'RENDERER_ICE_HOSTS',
  /** The process to live and die with: the renderer leaves when it is gone. */
  parentPid: 'RENDERER_PARENT_PID',
  /**
   * Seconds without a call from the API (one with the secret) and without a live session after which the renderer
   * stops itself; unset or 0: never. The local orchestrator sets it (the API's RENDERER_ORPHAN_SECONDS), Kubernetes not.
   */
  orphanSeconds: 'RENDERER_ORPHAN_SECONDS',
} as const;

export type RendererEnvName = (typeof RENDERER_ENV)[keyof typeof RENDERER_ENV];
