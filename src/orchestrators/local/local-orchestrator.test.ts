import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PORTRAIT_FIXTURES } from '../../../test/fixtures.ts';
import { preprocessPortrait } from '../../sources/portrait/index.ts';
import type { RendererSpec, RendererStatus } from '../orchestrator.ts';
import { orchestratorSuite } from '../orchestrator.suite.ts';
import { createLocalOrchestrator } from './local-orchestrator.ts';

/** The astronaut fixture preprocessed once, as the files a local renderer reads. */
let portrait: Promise<{ imageUrl: string; faceUrl: string }> | null = null;
function preparedPortrait() {
  portrait ??= (async () => {
    const { artifact } = await preprocessPortrait(await fs.readFile(PORTRAIT_FIXTURES.astronaut));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-orchestrator-portrait-'));
    const imageUrl = path.join(dir, 'image.png');
    const faceUrl = path.join(dir, 'face.json');
    await fs.writeFile(imageUrl, artifact.image);
    await fs.writeFile(faceUrl, JSON.stringify(artifact.face));
    return { imageUrl, faceUrl };
  })();
  return portrait;
}

orchestratorSuite('local child processes', async () => {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-local-orchestrator-'));
  const files = await preparedPortrait();
  const orchestrator = createLocalOrchestrator({ stateDir, stopOnClose: true });
  return {
    orchestrator,
    spec: (avatarId): RendererSpec => ({
      avatarId,
      organizationId: 'org',
      userId: 'owner',
      tier: 'realtime_lipsync',
      resources: { cpu: '1', memory: '1Gi' },
      config: { resolution: '256x256', frameRate: 25, idleMotion: true },
      portrait: files,
      secret: 'rs_local_suite_secret_0123456789',
      replicas: 1,
    }),
    // The child reports its port and answers health on its own.
    async becomeHealthy() {},
    async crash(avatarId) {
      const { pid } = JSON.parse(await fs.readFile(path.join(stateDir, `${avatarId}.json`), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
      // Until Node reaps the child, the process still looks alive.
      for (let i = 0; i < 100 && (await orchestrator.status(avatarId))?.phase !== 'failed'; i++)
        await new Promise((r) => setTimeout(r, 50));
    },
    async close() {
      await orchestrator.close();
      await fs.rm(stateDir, { recursive: true, force: true });
    },
  };
});

describe("the local orchestrator's stuck rule", () => {
  it('judges a renderer alive but unhealthy past its start timeout hung: nothing else would ever replace it', () => {
    const orchestrator = createLocalOrchestrator({ stateDir: os.tmpdir(), stuckAfterMs: 30_000 });
    const starting: RendererStatus = { avatarId: 'avt_x', phase: 'starting', endpoint: null, restarts: 0, lastError: null };
    expect(orchestrator.isStuck(starting, 30_000)).toBe(false);
    expect(orchestrator.isStuck(starting, 30_001)).toBe(true);
    expect(orchestrator.isStuck({ ...starting, phase: 'failed' }, 60_000)).toBe(false);
  });
});

describe("the local orchestrator's parts check", () => {
  it("runs the renderer program's own check: it starts, and ffmpeg with libx264 is there", async () => {
    const orchestrator = createLocalOrchestrator({ stateDir: os.tmpdir() });
    expect(await orchestrator.checkParts!()).toEqual({ renderer: { ok: true }, ffmpeg: { ok: true } });
  }, 60_000);
});
