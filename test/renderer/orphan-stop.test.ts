// RENDERER_ORPHAN_SECONDS on the real renderer program: it stops itself once no call with its secret came for that
// long, unless a live session runs; calls without the secret (a kubelet's probe, anyone's) do not keep it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';
import { createSession, SECRET } from './live-renderer.ts';
import { type RunningRenderer, startRenderer, waitHealthy } from './renderer-process.ts';

// Well above the 1 s between the test's calls, which a loaded machine may stretch.
const ORPHAN_SECONDS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let portrait: PreparedPortrait;
const started: RunningRenderer[] = [];

beforeAll(async () => {
  portrait = await prepareAstronaut();
}, 60_000);

afterAll(async () => {
  for (const renderer of started) await renderer.stop();
  await portrait?.cleanup();
});

async function orphanableRenderer(avatarId: string): Promise<RunningRenderer> {
  const renderer = await startRenderer({
    RENDERER_SECRET: SECRET,
    AVATAR_ID: avatarId,
    PORTRAIT_IMAGE: portrait.imagePath,
    PORTRAIT_FACE: portrait.facePath,
    RENDERER_ICE_HOSTS: '127.0.0.1',
    RENDERER_ORPHAN_SECONDS: String(ORPHAN_SECONDS),
  });
  started.push(renderer);
  await waitHealthy(renderer.baseUrl);
  return renderer;
}

/** Calls `call` every second until `ms` passed; the time of the last call. */
async function keepCalling(ms: number, call: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + ms;
  let last = Date.now();
  while (Date.now() < until) {
    await call();
    last = Date.now();
    await sleep(1000);
  }
  return last;
}

/** Resolves with the exit code, or 'running' when the process did not exit within `ms`. */
const exitWithin = (renderer: RunningRenderer, ms: number) => Promise.race([renderer.exited, sleep(ms).then(() => 'running' as const)]);

const stoppingLine = (renderer: RunningRenderer) =>
  renderer
    .stdout()
    .split('\n')
    .find((line) => line.includes('"stopping"'));

describe.concurrent('a renderer left alone (RENDERER_ORPHAN_SECONDS)', () => {
  it('stops itself, exit 0, saying why, when nothing calls with its secret; probes without it do not count', async () => {
    const renderer = await orphanableRenderer('avt_orphanAlone000001');
    const health = () => fetch(`${renderer.baseUrl}/health`).then((r) => r.arrayBuffer());
    // Unauthenticated health probes all the while, as a kubelet or a curl would send.
    const probing = keepCalling(3 * ORPHAN_SECONDS * 1000, health).catch(() => 0);
    expect(await exitWithin(renderer, (ORPHAN_SECONDS + 10) * 1000)).toBe(0);
    await probing;
    expect(JSON.parse(stoppingLine(renderer)!)).toEqual({
      event: 'stopping',
      signal: 'orphaned',
      reason: `No API has called for ${ORPHAN_SECONDS} s and no live session runs (RENDERER_ORPHAN_SECONDS=${ORPHAN_SECONDS}).`,
    });
  }, 60_000);

  it('stays while its API calls (health probes with the secret), and stops once the calls stop', async () => {
    const renderer = await orphanableRenderer('avt_orphanCalled00001');
    const probe = () =>
      fetch(`${renderer.baseUrl}/health`, { headers: { authorization: `Bearer ${SECRET}` } }).then((r) => r.arrayBuffer());
    const lastCall = await keepCalling(2.5 * ORPHAN_SECONDS * 1000, probe);
    expect(renderer.child.exitCode).toBeNull();
    expect(await exitWithin(renderer, (ORPHAN_SECONDS + 10) * 1000)).toBe(0);
    // Not before its time: the orphan time counts from the last call.
    expect(Date.now() - lastCall).toBeGreaterThanOrEqual(ORPHAN_SECONDS * 1000 - 100);
    expect(stoppingLine(renderer)).toContain('"signal":"orphaned"');
  }, 60_000);

  it('stays while a live session runs with no API call, and stops once it ended', async () => {
    const renderer = await orphanableRenderer('avt_orphanSession0001');
    const created = await createSession(renderer.baseUrl, {
      sessionId: 'orphan-session',
      token: 'token-orphan-session-0123456789',
      viewerToken: 'viewer-orphan-session-0123456789',
      maxIdleSeconds: 120,
    });
    expect(created.status).toBe(201);
    // Twice the orphan time without a single call: the session holds it.
    expect(await exitWithin(renderer, 2 * ORPHAN_SECONDS * 1000)).toBe('running');
    const ended = await fetch(`${renderer.baseUrl}/sessions/orphan-session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(ended.status).toBe(204);
    const endedAt = Date.now();
    expect(await exitWithin(renderer, (ORPHAN_SECONDS + 10) * 1000)).toBe(0);
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(ORPHAN_SECONDS * 1000 - 100);
    expect(stoppingLine(renderer)).toContain('"signal":"orphaned"');
  }, 60_000);
});
