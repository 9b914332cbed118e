import { describe, expect, it } from 'vitest';
import { readRendererConfig } from '../../renderer/config.ts';
import { rendererEnvironment } from '../../src/orchestrators/renderer-environment.ts';
import { rendererSpec } from '../k8s/renderer-spec.ts';

const asEnv = (variables: { name: string; value: string }[]) => Object.fromEntries(variables.map((v) => [v.name, v.value]));

describe('the environment the orchestrators write is the one the renderer reads', () => {
  it('carries the avatar, its portrait, its config, the session cap and the placement', () => {
    const spec = rendererSpec({ config: { resolution: '640x360', frameRate: 25, idleMotion: false }, maxSessions: 6 });
    const config = readRendererConfig(
      asEnv(rendererEnvironment(spec, { host: '0.0.0.0', port: 8080, iceHosts: '10.0.0.7', parentPid: 4242, orphanSeconds: 90 })),
    );
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      secret: spec.secret,
      avatarId: spec.avatarId,
      portraitImage: spec.portrait.imageUrl,
      portraitFace: spec.portrait.faceUrl,
      render: spec.config,
      parentPid: 4242,
      orphanAfterMs: 90_000,
      live: { maxSessions: 6, iceHosts: ['10.0.0.7'] },
    });
  });

  it('leaves out what is not set: the renderer then takes its defaults', () => {
    const variables = rendererEnvironment(rendererSpec(), { host: '127.0.0.1', port: 0 });
    expect(variables.map((v) => v.name)).toEqual([
      'RENDERER_HOST',
      'RENDERER_PORT',
      'RENDERER_SECRET',
      'AVATAR_ID',
      'PORTRAIT_IMAGE',
      'PORTRAIT_FACE',
      'RENDER_CONFIG',
    ]);
    expect(readRendererConfig(asEnv(variables))).toMatchObject({
      parentPid: null,
      orphanAfterMs: null,
      live: { maxSessions: 4, iceHosts: null },
    });
  });
});
