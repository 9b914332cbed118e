import { RENDERER_ENV as ENV } from '../contract/renderer-environment.ts';
import { DEFAULT_RENDER_CONFIG, parseResolution, type RenderConfig } from '../contract/render-config.ts';
import { seedFromText } from './engine/seeded-random.ts';

export const RENDERER_VERSION = '0.1.0';

/** Everything the rendering container is told, read and checked once from the environment (contract/renderer-environment.ts). */
export interface RendererConfig {
  host: string;
  port: number;
  secret: string;
  avatarId: string;
  portraitImage: string;
  portraitFace: string;
  render: RenderConfig;
  seed: number;
  live: LiveConfig;
  /** The process this renderer lives and dies with, or null. */
  parentPid: number | null;
  /** Stop when no API has called for this long and no live session runs (RENDERER_ORPHAN_SECONDS); null: never. */
  orphanAfterMs: number | null;
}

/** Settings of live sessions (docs/live-sessions.md). */
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

/** Throws a sentence naming the first bad setting. */
export function readRendererConfig(env: NodeJS.ProcessEnv): RendererConfig {
  const secret = env[ENV.secret] ?? '';
  if (secret.length < 8) throw new Error(`${ENV.secret} is required (at least 8 characters).`);
  const port = Number(env[ENV.port] ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${ENV.port} must be an integer from 0 to 65535.`);
  const portraitImage = env[ENV.portraitImage] ?? '';
  const portraitFace = env[ENV.portraitFace] ?? '';
  if (!portraitImage || !portraitFace) {
    throw new Error(`${ENV.portraitImage} and ${ENV.portraitFace} are required (file paths or http(s) URLs).`);
  }
  const avatarId = env[ENV.avatarId] ?? '';
  const parentPid = Number(env[ENV.parentPid]);
  const orphanSeconds = integer(env, ENV.orphanSeconds, 0, 0, 30 * 24 * 3600);
  return {
    host: env[ENV.host] || '127.0.0.1',
    port,
    secret,
    avatarId,
    portraitImage,
    portraitFace,
    render: parseRenderConfig(env[ENV.renderConfig]),
    seed: parseSeed(env[ENV.seed], avatarId),
    live: readLiveConfig(env),
    parentPid: Number.isInteger(parentPid) && parentPid > 1 ? parentPid : null,
    orphanAfterMs: orphanSeconds > 0 ? orphanSeconds * 1000 : null,
  };
}

export function readLiveConfig(env: NodeJS.ProcessEnv): LiveConfig {
  const iceHosts = env[ENV.iceHosts];
  return {
    maxSessions: integer(env, ENV.maxSessions, 4, 1, 256),
    maxViewers: integer(env, ENV.maxViewers, 4, 1, 64),
    jitterMs: integer(env, ENV.jitterMs, 80, 0, 1000),
    iceHosts: iceHosts
      ? iceHosts
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean)
      : null,
  };
}

export function parseRenderConfig(text: string | undefined): RenderConfig {
  if (!text) return { ...DEFAULT_RENDER_CONFIG };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${ENV.renderConfig} is not valid JSON.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${ENV.renderConfig} must be a JSON object.`);
  const given = value as Record<string, unknown>;
  const render: RenderConfig = { ...DEFAULT_RENDER_CONFIG };
  if (given.resolution !== undefined) {
    if (typeof given.resolution !== 'string') throw new Error(`${ENV.renderConfig}.resolution must be a string like "512x512".`);
    parseResolution(given.resolution);
    render.resolution = given.resolution;
  }
  if (given.frameRate !== undefined) {
    const fps = given.frameRate;
    if (typeof fps !== 'number' || !Number.isInteger(fps) || fps < 1 || fps > 120) {
      throw new Error(`${ENV.renderConfig}.frameRate must be an integer from 1 to 120.`);
    }
    render.frameRate = fps;
  }
  if (given.idleMotion !== undefined) {
    if (typeof given.idleMotion !== 'boolean') throw new Error(`${ENV.renderConfig}.idleMotion must be true or false.`);
    render.idleMotion = given.idleMotion;
  }
  return render;
}

function parseSeed(text: string | undefined, avatarId: string): number {
  if (text === undefined || text === '') return seedFromText(avatarId);
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`${ENV.seed} must be an integer from 0 to 4294967295.`);
  return seed;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}.`);
  return value;
}
