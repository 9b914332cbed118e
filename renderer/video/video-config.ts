/** Settings of the container's talking-video renders (issue 18), read from the environment. */
export interface VideoConfig {
  /** Renders drawn at once (RENDERER_VIDEO_CONCURRENCY, default 1): each takes a core beside the live sessions. */
  concurrency: number;
  /** Renders held at once, drawing or waiting (RENDERER_VIDEO_MAX_JOBS, default 16); more answer 503. */
  maxJobs: number;
  /** Longest speech accepted, seconds (RENDERER_VIDEO_MAX_SECONDS, default 600). */
  maxSeconds: number;
  /** How long a finished (or failed) render is kept for the API to fetch (RENDERER_VIDEO_TTL_SECONDS, default 900). */
  ttlSeconds: number;
}

export const VIDEO_ENV = {
  concurrency: 'RENDERER_VIDEO_CONCURRENCY',
  maxJobs: 'RENDERER_VIDEO_MAX_JOBS',
  maxSeconds: 'RENDERER_VIDEO_MAX_SECONDS',
  ttlSeconds: 'RENDERER_VIDEO_TTL_SECONDS',
} as const;

/** Throws a sentence naming the first bad setting. */
export function readVideoConfig(env: NodeJS.ProcessEnv): VideoConfig {
  return {
    concurrency: integer(env, VIDEO_ENV.concurrency, 1, 1, 64),
    maxJobs: integer(env, VIDEO_ENV.maxJobs, 16, 1, 1024),
    maxSeconds: integer(env, VIDEO_ENV.maxSeconds, 600, 1, 3 * 3600),
    ttlSeconds: integer(env, VIDEO_ENV.ttlSeconds, 900, 1, 7 * 24 * 3600),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}
