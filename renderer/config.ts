import { parseResolution, type RenderConfig } from './engine/portrait-animator.ts';
import { seedFromText } from './engine/seeded-random.ts';

export const RENDERER_VERSION = '0.1.0';

/** Everything the rendering container is told, read and checked once from the environment. */
export interface RendererConfig {
  host: string;
  port: number;
  secret: string;
  avatarId: string;
  portraitImage: string;
  portraitFace: string;
  render: RenderConfig;
  seed: number;
}

const DEFAULT_RENDER: RenderConfig = { resolution: '512x512', frameRate: 30, idleMotion: true };

/** Throws a sentence naming the first bad setting. */
export function readRendererConfig(env: NodeJS.ProcessEnv): RendererConfig {
  const secret = env.RENDERER_SECRET ?? '';
  if (secret.length < 8) throw new Error('RENDERER_SECRET is required (at least 8 characters).');
  const port = Number(env.RENDERER_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('RENDERER_PORT must be an integer from 0 to 65535.');
  const portraitImage = env.PORTRAIT_IMAGE ?? '';
  const portraitFace = env.PORTRAIT_FACE ?? '';
  if (!portraitImage || !portraitFace) throw new Error('PORTRAIT_IMAGE and PORTRAIT_FACE are required (file paths or http(s) URLs).');
  const avatarId = env.AVATAR_ID ?? '';
  return {
    host: env.RENDERER_HOST || '127.0.0.1',
    port,
    secret,
    avatarId,
    portraitImage,
    portraitFace,
    render: parseRenderConfig(env.RENDER_CONFIG),
    seed: parseSeed(env.RENDER_SEED, avatarId),
  };
}

export function parseRenderConfig(text: string | undefined): RenderConfig {
  if (!text) return { ...DEFAULT_RENDER };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('RENDER_CONFIG is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('RENDER_CONFIG must be a JSON object.');
  const given = value as Record<string, unknown>;
  const render = { ...DEFAULT_RENDER };
  if (given.resolution !== undefined) {
    if (typeof given.resolution !== 'string') throw new Error('RENDER_CONFIG.resolution must be a string like "512x512".');
    parseResolution(given.resolution);
    render.resolution = given.resolution;
  }
  if (given.frameRate !== undefined) {
    const fps = given.frameRate;
    if (typeof fps !== 'number' || !Number.isInteger(fps) || fps < 1 || fps > 120) {
      throw new Error('RENDER_CONFIG.frameRate must be an integer from 1 to 120.');
    }
    render.frameRate = fps;
  }
  if (given.idleMotion !== undefined) {
    if (typeof given.idleMotion !== 'boolean') throw new Error('RENDER_CONFIG.idleMotion must be true or false.');
    render.idleMotion = given.idleMotion;
  }
  return render;
}

function parseSeed(text: string | undefined, avatarId: string): number {
  if (text === undefined || text === '') return seedFromText(avatarId);
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('RENDER_SEED must be an integer from 0 to 4294967295.');
  return seed;
}
