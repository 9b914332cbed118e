import { describe, expect, it } from 'vitest';
import { parseRenderConfig, readRendererConfig } from './config.ts';
import { seedFromText } from './engine/seeded-random.ts';

const base = { RENDERER_SECRET: 'a-long-secret', PORTRAIT_IMAGE: '/tmp/image.png', PORTRAIT_FACE: '/tmp/face.json', AVATAR_ID: 'avt_abc' };

describe('readRendererConfig', () => {
  it('fills defaults: loopback, any port, 512x512 at 30 fps with idle motion, seed from the avatar id', () => {
    const config = readRendererConfig(base);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      avatarId: 'avt_abc',
      render: { resolution: '512x512', frameRate: 30, idleMotion: true },
    });
    expect(config.seed).toBe(seedFromText('avt_abc'));
    expect(readRendererConfig({ ...base, RENDER_SEED: '42', RENDERER_PORT: '8123' })).toMatchObject({ seed: 42, port: 8123 });
  });

  it('stops when left alone only when RENDERER_ORPHAN_SECONDS says so (0 or unset: never)', () => {
    expect(readRendererConfig(base).orphanAfterMs).toBeNull();
    expect(readRendererConfig({ ...base, RENDERER_ORPHAN_SECONDS: '0' }).orphanAfterMs).toBeNull();
    expect(readRendererConfig({ ...base, RENDERER_ORPHAN_SECONDS: '600' }).orphanAfterMs).toBe(600_000);
    expect(() => readRendererConfig({ ...base, RENDERER_ORPHAN_SECONDS: '1.5' })).toThrow(/RENDERER_ORPHAN_SECONDS/);
  });

  it('names the bad setting', () => {
    expect(() => readRendererConfig({ ...base, RENDERER_SECRET: undefined })).toThrow(/RENDERER_SECRET/);
    expect(() => readRendererConfig({ ...base, PORTRAIT_FACE: '' })).toThrow(/PORTRAIT_FACE/);
    expect(() => readRendererConfig({ ...base, RENDERER_PORT: '70000' })).toThrow(/RENDERER_PORT/);
    expect(() => readRendererConfig({ ...base, RENDER_SEED: '-1' })).toThrow(/RENDER_SEED/);
    expect(() => parseRenderConfig('{')).toThrow(/not valid JSON/);
    expect(() => parseRenderConfig('[]')).toThrow(/object/);
    expect(() => parseRenderConfig('{"resolution":"511x512"}')).toThrow(/even/);
    expect(() => parseRenderConfig('{"frameRate":0}')).toThrow(/frameRate/);
    expect(() => parseRenderConfig('{"idleMotion":"yes"}')).toThrow(/idleMotion/);
    expect(parseRenderConfig('{"resolution":"640x360","idleMotion":false}')).toEqual({
      resolution: '640x360',
      frameRate: 30,
      idleMotion: false,
    });
  });
});
