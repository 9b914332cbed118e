import type { RendererSpec } from '../../src/orchestrators/orchestrator.ts';

/** A Tier 3 avatar's rendering container as the reconciler would ask for it; tests override what they vary. */
export function rendererSpec(overrides: Partial<RendererSpec> = {}): RendererSpec {
  return {
    avatarId: 'avt_3kTz9QWmBx7pLr2N',
    organizationId: 'org_7Hs2kLq9',
    userId: 'user_42',
    tier: 'realtime_lipsync',
    resources: { cpu: '2', memory: '8Gi', gpu: 1, gpuType: 'nvidia-a10' },
    config: { resolution: '512x512', frameRate: 30, idleMotion: true },
    portrait: { imageUrl: 'http://api.avatars.svc:3000/blobs/p.png', faceUrl: 'http://api.avatars.svc:3000/blobs/f.json' },
    secret: 'rs_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    replicas: 1,
    ...overrides,
  };
}
