// The deployment lifecycle across routes and the reconciler: deploy, a Tier 2/3 preview from the running container,
// a crash and its restart, undeploy, and delete stopping the container. Each route's own checks are under routes/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { readyPortraitAvatar, waitForAvatar } from '../harness/live-avatar.ts';
import { alive } from '../harness/processes.ts';
import { decodeFrames, expectFaststartH264 } from '../renderer/video-probe.ts';
import { cornerMotion, landmarkBox, meanDifference } from '../renderer/astronaut-portrait.ts';
import { LEFT_EYE, RIGHT_EYE } from '../../renderer/engine/landmark-indices.ts';

describe.each(STORE_KINDS)('deployments and Tier 2/3 previews (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  const waitFor = (id: string, done: (avatar: any) => boolean, what: string) => waitForAvatar(server, owner, id, done, what);
  const readyPortrait = (tier = 'animated_portrait') => readyPortraitAvatar(server, owner, tier);
  const recordOf = (id: string) => JSON.parse(fs.readFileSync(path.join(server.config.dataDir, 'renderers', `${id}.json`), 'utf8'));

  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.makeKey('owner', 'org_deploy');
  });
  afterAll(() => server.close());

  it('deploys a portrait, previews an H.264 clip of the blinking face, survives a crash, undeploys', async () => {
    const a = await readyPortrait();
    expect(a.deployment).toEqual({ state: 'stopped', since: null, restarts: 0, lastError: null });
    expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 503, 'service-unavailable');

    const deploy = await server.api('POST', `/api/v1/avatars/${a._id}/deploy`, { key: owner });
    expect(deploy.status).toBe(202);
    expect(['starting', 'running']).toContain(deploy.body.deployment.state);
    const running = await waitFor(a._id, (x) => x.deployment.state === 'running', 'running');
    expect(running.renderingEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The renderer refuses calls without the per-deployment secret.
    expect((await fetch(`${running.renderingEndpoint}/preview`, { method: 'POST', body: '{}' })).status).toBe(401);

    const preview = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ avatarId: a._id, previewUrl: expect.stringMatching(/\.mp4$/), status: 'completed' });
    const mp4 = Buffer.from(await (await fetch(preview.body.previewUrl)).arrayBuffer());
    await expectFaststartH264(mp4, { width: 512, height: 512, fps: 30, frames: 90 });
    const frames = await decodeFrames(mp4, 512, 512);
    const artifact = JSON.parse(
      (await server.server.services.store.db.selectFrom('avatars').select('artifact').where('id', '=', a._id).executeTakeFirstOrThrow())
        .artifact!,
    );
    const face = await (await fetch(server.server.services.blobs.url(artifact.faceKey))).json();
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      const box = landmarkBox(face, [eye.outerCorner, eye.innerCorner, ...eye.upperLid, ...eye.lowerLid]);
      expect(Math.max(...frames.map((f) => meanDifference(frames[0], f, 512, box)))).toBeGreaterThan(8);
    }
    expect(cornerMotion(frames, 512)).toBeLessThan(1);

    // Kill the container: the avatar shows it, and the reconciler brings it back.
    const { pid } = recordOf(a._id);
    process.kill(pid, 'SIGKILL');
    const noticed = await waitFor(a._id, (x) => x.deployment.restarts >= 1, 'the crash to be noticed');
    expect(noticed.deployment.lastError).toMatch(/rendering container/);
    const back = await waitFor(a._id, (x) => x.deployment.state === 'running', 'the restart');
    expect(back.deployment.restarts).toBeGreaterThanOrEqual(1);
    expect(recordOf(a._id).pid).not.toBe(pid);

    const undeploy = await server.api('POST', `/api/v1/avatars/${a._id}/undeploy`, { key: owner });
    expect(undeploy.status).toBe(202);
    expect(undeploy.body.renderingEndpoint).toBeNull();
    const restartedPid = recordOf(a._id).pid;
    const stopped = await waitFor(a._id, (x) => x.deployment.state === 'stopped', 'stopped');
    expect(stopped.renderingEndpoint).toBeNull();
    expect(alive(restartedPid)).toBe(false);
    expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 503, 'service-unavailable');
  }, 120_000);

  it('stops the container when the avatar is deleted', async () => {
    const a = await readyPortrait('realtime_lipsync');
    await server.api('POST', `/api/v1/avatars/${a._id}/deploy`, { key: owner });
    await waitFor(a._id, (x) => x.deployment.state === 'running', 'running');
    const { pid } = recordOf(a._id);
    expect((await server.api('DELETE', `/api/v1/avatars/${a._id}`, { key: owner })).status).toBe(200);
    // The record is removed once the process has exited: wait for both, not just the exit (CI saw the gap).
    const record = path.join(server.config.dataDir, 'renderers', `${a._id}.json`);
    const deadline = Date.now() + 20_000;
    while ((alive(pid) || fs.existsSync(record)) && Date.now() < deadline) {
      await server.server.loop.settle();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive(pid)).toBe(false);
    expect(fs.existsSync(record)).toBe(false);
  }, 90_000);
});
