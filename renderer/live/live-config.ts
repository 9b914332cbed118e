/** Settings of live sessions, read from the environment once (docs/live-sessions.md). */
export interface LiveConfig {
  /** Concurrent sessions this container takes (MAX_SESSIONS, default 4). */
  maxSessions: number;
  /** Viewers per session (MAX_VIEWERS_PER_SESSION, default 4). */
  maxViewers: number;
  /** Delay before speech plays, the same for audio and mouth (LIVE_JITTER_MS, default 80). */
  jitterMs: number;
  /** ICE host addresses offered and accepted (RENDERER_ICE_HOSTS, comma-separated); null = every interface. */
  iceHosts: string[] | null;
}

export function readLiveConfig(env: NodeJS.ProcessEnv): LiveConfig {
  return {
    maxSessions: integer(env, 'MAX_SESSIONS', 4, 1, 256),
    maxViewers: integer(env, 'MAX_VIEWERS_PER_SESSION', 4, 1, 64),
    jitterMs: integer(env, 'LIVE_JITTER_MS', 80, 0, 1000),
    iceHosts: env.RENDERER_ICE_HOSTS ? env.RENDERER_ICE_HOSTS.split(',').map((h) => h.trim()).filter(Boolean) : null,
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}
