import path from 'node:path';

/** Every setting of the API server, read from the environment and validated once. */
export interface Config {
  port: number;
  host: string;
  /** Where the embedded SQLite file and local blobs live. */
  dataDir: string;
  /** PostgreSQL when set (`postgres://...`); otherwise the SQLite file `${dataDir}/avatars.db`. */
  databaseUrl: string | null;
  /** PostgreSQL schema for every table (default: the connection's search_path, usually public). */
  databaseSchema: string | null;
  /** Base URL clients use to reach this server (blob URLs are built from it). */
  publicUrl: string;
  /** Requests per minute per API key; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Largest JSON body accepted, bytes. */
  bodyLimitBytes: number;
  /** Largest VRM upload, bytes. */
  maxVrmBytes: number;
  /** Largest portrait upload, bytes. */
  maxImageBytes: number;
  /**
   * Source uploads checked at once (VRM parsing, portrait re-encoding): past a bound an upload waits its turn, first come
   * first served, for at most `maxWaitMs`, then is answered 429 with Retry-After.
   */
  uploads: { perServer: number; perOrganization: number; maxWaitMs: number };
  logLevel: string;
  /** Webhook deliveries (docs/webhooks.md). */
  webhooks: WebhookSettings;
  blobs: { kind: 'local' } | S3Settings;
  /**
   * Local renderers stop with the API (`stopWithApi`), or outlive it to be adopted by the next start, and stop themselves
   * after `orphanSeconds` without a call from any API (RENDERER_ORPHAN_SECONDS, 0: never).
   */
  orchestrator: { kind: 'local'; stopWithApi: boolean; orphanSeconds: number } | KubernetesSettings;
  /** How long a Tier 2/3 preview may take in the rendering container before the API answers 503. */
  previewTimeoutMs: number;
  /** How often the reconciler runs when nothing wakes it. */
  reconcileIntervalMs: number;
  /** A local rendering container not healthy this long after it started (or stopped answering) is replaced. */
  rendererStartTimeoutMs: number;
  /**
   * Who may read Prometheus metrics. Off unless set: with `port`, on a listener of their own (at `host`,
   * loopback by default) and not on the API's port; without one, on the API's `/metrics` behind `token`.
   */
  metrics: { port: number | null; host: string; token: string | null };
  /** Limits that keep slow or idle clients from holding connections (Node's http.Server settings). */
  http: {
    /** The whole request head must arrive within this (slowloris). */
    headersTimeoutMs: number;
    /** The whole request, body included, must arrive within this (uploads of MAX_VRM_MB on a slow link). */
    requestTimeoutMs: number;
    /** A connection with no bytes either way for this long is closed (longer than a preview or session start). */
    idleTimeoutMs: number;
    /** How long a kept-alive connection waits for its next request (above load balancers' usual 60 s). */
    keepAliveTimeoutMs: number;
    /** Connections open at once; past it, new ones are closed at once. */
    maxConnections: number;
  };
  sessions: {
    /** A session (and its token) ends this long after it starts. */
    maxSessionSeconds: number;
    /** A session ends after this long with neither a viewer nor speech. */
    maxIdleSeconds: number;
    /** Concurrent live sessions one avatar's rendering container takes. */
    perAvatar: number;
    /** How long POST /sessions waits for an on-demand avatar's container to start. */
    startTimeoutMs: number;
    /** Speech an agent may queue ahead of playout; past it the renderer closes its socket (4009). */
    maxQueuedSpeechSeconds: number;
    /** How long a session waits for an agent whose connection dropped to reconnect before it ends (`agent-left`). */
    reconnectGraceSeconds: number;
    /** How often the API asks the containers about the sessions it holds as live, to learn of ends they made. */
    watchIntervalMs: number;
  };
  /** Talking-video jobs (docs/videos.md). */
  videos: VideoSettings;
}

export interface VideoSettings {
  /** Longest speech a video may have (an upload's decoded length, or the spoken text's), seconds. */
  maxSeconds: number;
  /** Largest audio upload, bytes. */
  maxAudioBytes: number;
  /** Largest background image upload, bytes. */
  maxImageBytes: number;
  /** Longest text to speak, characters. */
  maxTextChars: number;
  /** Renders one API process runs at once. */
  perServer: number;
  /** Renders of one avatar at once, over all replicas. */
  perAvatar: number;
  /** A render not finished this long after it started fails (a wedged container or browser). */
  renderTimeoutMs: number;
  /** How long a render may hold its job without renewing the lease; a replica that dies lets go after this. */
  leaseMs: number;
  /** Renders tried per job (a crash or restart counts one) before it fails. */
  maxAttempts: number;
  /** The text-to-speech engine's program (espeak-ng). */
  espeakPath: string;
  /** Chromium's executable for stylized_3d videos (src/videos/browser), launched headless on the first one. */
  chromiumPath: string;
}

export interface WebhookSettings {
  /** One delivery attempt (connect, answer, body) must finish within this, or it counts as failed. */
  timeoutMs: number;
  /** Waits before each retry after the first attempt, seconds; after the last the delivery fails. */
  retrySchedule: number[];
  /** Attempts one API process makes at once. */
  perServer: number;
  /** Endpoints one organization (or orgless user) may have. */
  maxEndpoints: number;
  /** Finished deliveries stay in the log this many days. */
  logDays: number;
  /** SSRF: deliver to private, loopback and link-local addresses too (trusted networks only). */
  allowPrivate: boolean;
  /** SSRF exceptions: a host name called whatever it resolves to; an IP literal (127.0.0.1 in tests) callable by any name. */
  allowedHosts: string[];
}

export interface S3Settings {
  kind: 's3';
  bucket: string;
  region?: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  prefix?: string;
  timeoutMs?: number;
}

export interface KubernetesSettings {
  kind: 'kubernetes';
  namespace?: string;
  rendererImage: string;
  imagePullSecrets: string[];
  rendererPort?: number;
  gpuNodeLabelKey?: string;
}

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL; leave it unset for the embedded SQLite store.');
  }
  const databaseSchema = env.DATABASE_SCHEMA || null;
  if (databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError('DATABASE_SCHEMA must be a lower-case PostgreSQL identifier.');
  }
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL; got "${env.PUBLIC_URL}".`);
  }
  const mib = 1024 * 1024;
  const http = {
    headersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 20_000, 100, 600_000),
    requestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 300_000, 100, 3_600_000),
    idleTimeoutMs: integer(env, 'HTTP_IDLE_TIMEOUT_MS', 120_000, 100, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
    maxConnections: integer(env, 'HTTP_MAX_CONNECTIONS', 10_000, 1, 1_000_000),
  };
  // Node refuses a head timeout longer than the whole request's.
  if (http.headersTimeoutMs > http.requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS.');
  }
  return {
    metrics: metricsSettings(env, port),
    http,
    blobs: blobSettings(env),
    orchestrator: orchestratorSettings(env),
    previewTimeoutMs: integer(env, 'PREVIEW_TIMEOUT_MS', 30_000, 100, 600_000),
    reconcileIntervalMs: integer(env, 'RECONCILE_INTERVAL_MS', 1000, 50, 60_000),
    rendererStartTimeoutMs: integer(env, 'RENDERER_START_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    sessions: {
      maxSessionSeconds: integer(env, 'SESSION_MAX_SECONDS', 1800, 10, 86_400),
      maxIdleSeconds: integer(env, 'SESSION_IDLE_SECONDS', 60, 5, 3600),
      perAvatar: integer(env, 'SESSIONS_PER_AVATAR', 4, 1, 256),
      startTimeoutMs: integer(env, 'SESSION_START_TIMEOUT_MS', 60_000, 1000, 600_000),
      maxQueuedSpeechSeconds: integer(env, 'SESSION_MAX_QUEUED_SPEECH_SECONDS', 30, 1, 600),
      reconnectGraceSeconds: integer(env, 'SESSION_RECONNECT_GRACE_SECONDS', 15, 1, 600),
      watchIntervalMs: integer(env, 'SESSION_WATCH_INTERVAL_MS', 5000, 100, 600_000),
    },
    videos: {
      maxSeconds: integer(env, 'VIDEO_MAX_SECONDS', 300, 1, 3600),
      maxAudioBytes: integer(env, 'VIDEO_MAX_AUDIO_MB', 50, 1, 1024) * 1024 * 1024,
      maxImageBytes: integer(env, 'VIDEO_MAX_IMAGE_MB', 10, 1, 256) * 1024 * 1024,
      maxTextChars: integer(env, 'VIDEO_MAX_TEXT_CHARS', 5000, 1, 100_000),
      perServer: integer(env, 'VIDEOS_CONCURRENT', 1, 1, 256),
      perAvatar: integer(env, 'VIDEOS_CONCURRENT_PER_AVATAR', 1, 1, 256),
      renderTimeoutMs: integer(env, 'VIDEO_RENDER_TIMEOUT_MS', 600_000, 1000, 24 * 3600_000),
      leaseMs: integer(env, 'VIDEO_LEASE_MS', 30_000, 1000, 3600_000),
      maxAttempts: integer(env, 'VIDEO_MAX_ATTEMPTS', 3, 1, 100),
      espeakPath: env.ESPEAK_PATH || 'espeak-ng',
      chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    },
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    databaseSchema,
    publicUrl,
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 10_000_000),
    bodyLimitBytes: 1 * mib,
    maxVrmBytes: integer(env, 'MAX_VRM_MB', 64, 1, 4096) * mib,
    maxImageBytes: integer(env, 'MAX_IMAGE_MB', 20, 1, 1024) * mib,
    // Two cores: one runs the API, one the intake thread; two uploads at once keep it busy without a backlog in memory.
    uploads: {
      perServer: integer(env, 'UPLOADS_CONCURRENT', 2, 1, 1024),
      perOrganization: integer(env, 'UPLOADS_CONCURRENT_PER_ORG', 1, 1, 1024),
      maxWaitMs: integer(env, 'UPLOADS_QUEUE_WAIT_MS', 30_000, 0, 600_000),
    },
    logLevel: env.LOG_LEVEL || 'info',
    webhooks: webhookSettings(env),
  };
}

/** The retries span about a day (Standard Webhooks' usual schedule), then the endpoint is marked failing. */
const WEBHOOK_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18_000, 36_000, 50_400];

function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  let retrySchedule = WEBHOOK_RETRY_SCHEDULE;
  if (env.WEBHOOK_RETRY_SCHEDULE) {
    retrySchedule = env.WEBHOOK_RETRY_SCHEDULE.split(',').map((part) => Number(part.trim()));
    if (retrySchedule.length > 20 || retrySchedule.some((s) => !Number.isInteger(s) || s < 1 || s > 7 * 86_400)) {
      throw new ConfigError('WEBHOOK_RETRY_SCHEDULE must be up to 20 comma-separated waits in seconds, each from 1 to 604800.');
    }
  }
  const allowPrivate = env.WEBHOOK_ALLOW_PRIVATE ?? 'false';
  if (allowPrivate !== 'true' && allowPrivate !== 'false') throw new ConfigError('WEBHOOK_ALLOW_PRIVATE must be "true" or "false".');
  return {
    timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    retrySchedule,
    perServer: integer(env, 'WEBHOOK_CONCURRENCY', 8, 1, 256),
    maxEndpoints: integer(env, 'WEBHOOK_MAX_ENDPOINTS', 50, 1, 10_000),
    logDays: integer(env, 'WEBHOOK_LOG_DAYS', 30, 1, 3650),
    allowPrivate: allowPrivate === 'true',
    // Compared as the URL parser writes hosts: lower case, IPv6 without brackets.
    allowedHosts: (env.WEBHOOK_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .map((host) => host.replace(/^\[|\]$/g, ''))
      .filter(Boolean),
  };
}

function metricsSettings(env: NodeJS.ProcessEnv, apiPort: number): Config['metrics'] {
  const token = env.METRICS_TOKEN || null;
  // A guessable token on a public port is no protection.
  if (token !== null && !/^[\x21-\x7e]{16,256}$/.test(token)) {
    throw new ConfigError('METRICS_TOKEN must be 16 to 256 printable characters without spaces.');
  }
  const port = env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 1, 65535) : null;
  if (port !== null && port === apiPort) {
    throw new ConfigError('METRICS_PORT must differ from PORT; leave it unset and set METRICS_TOKEN to serve metrics on the API port.');
  }
  return { port, host: env.METRICS_HOST || '127.0.0.1', token };
}

function blobSettings(env: NodeJS.ProcessEnv): Config['blobs'] {
  const kind = env.BLOB_STORE || 'local';
  if (kind === 'local') return { kind };
  if (kind !== 's3') throw new ConfigError(`BLOB_STORE must be "local" or "s3"; got "${kind}".`);
  if (!env.S3_BUCKET) throw new ConfigError('S3_BUCKET is required when BLOB_STORE=s3.');
  if (!!env.AWS_ACCESS_KEY_ID !== !!env.AWS_SECRET_ACCESS_KEY) {
    throw new ConfigError('Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (the AWS credential chain).');
  }
  return {
    kind,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION || undefined,
    endpoint: env.S3_ENDPOINT || undefined,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
    accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
    prefix: env.S3_PREFIX || undefined,
    timeoutMs: env.S3_TIMEOUT_MS ? integer(env, 'S3_TIMEOUT_MS', 10_000, 100, 600_000) : undefined,
  };
}

function orchestratorSettings(env: NodeJS.ProcessEnv): Config['orchestrator'] {
  const kind = env.ORCHESTRATOR || 'local';
  if (kind === 'local') {
    return {
      kind,
      stopWithApi: env.RENDERERS_STOP_WITH_API === 'true',
      orphanSeconds: integer(env, 'RENDERER_ORPHAN_SECONDS', 600, 0, 30 * 24 * 3600),
    };
  }
  if (kind !== 'kubernetes') throw new ConfigError(`ORCHESTRATOR must be "local" or "kubernetes"; got "${kind}".`);
  if (!env.RENDERER_IMAGE) throw new ConfigError('RENDERER_IMAGE is required when ORCHESTRATOR=kubernetes.');
  return {
    kind,
    namespace: env.KUBE_NAMESPACE || undefined,
    rendererImage: env.RENDERER_IMAGE,
    imagePullSecrets: (env.RENDERER_IMAGE_PULL_SECRETS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    rendererPort: env.RENDERER_PORT ? integer(env, 'RENDERER_PORT', 8080, 1, 65535) : undefined,
    gpuNodeLabelKey: env.GPU_NODE_LABEL_KEY || undefined,
  };
}
