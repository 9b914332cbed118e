import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalBlobStore } from '../blobs/local-blob-store.ts';
import { loadConfig } from '../config.ts';
import type { Ctx, Services } from '../domain/context.ts';
import { loadAvatarObject } from '../domain/avatar-object.ts';
import { deployAvatar, undeployAvatar } from '../domain/avatars/deploy-avatar.ts';
import { startLiveSession } from '../domain/sessions/start-live-session.ts';
import { migrate, openStore, type Store } from '../store/database.ts';
import type { AvatarRecord } from '../store/avatars.ts';
import { InMemoryOrchestrator, type StartOutcome } from '../../test/harness/in-memory-orchestrator.ts';
import { readyPortraitRecord } from '../../test/harness/store-services.ts';
import { createControlLoop } from './control-loop.ts';
import { createDeploymentReconciler } from './deployment-reconciler.ts';
import { UploadGate } from '../domain/avatars/upload-gate.ts';

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
  fatal() {},
  child: () => silent,
  level: 'silent',
} as unknown as FastifyBaseLogger;
const T0 = new Date('2026-01-01T10:00:00.000Z');

describe('the deployment reconciler against an in-memory orchestrator', () => {
  let dataDir: string;
  let store: Store;
  let services: Services;
  let ctx: Ctx;
  /** Plays the containers' HTTP side for live sessions: every session start is taken (201). */
  let renderer: { url: string; requests: string[]; server: http.Server };

  beforeEach(async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      req.resume();
      res.writeHead(req.method === 'POST' && req.url?.endsWith('/sessions') ? 201 : 404, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    renderer = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-reconciler-'));
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    store = openStore(config);
    await migrate(store);
    services = {
      store,
      config,
      blobs: createLocalBlobStore({ root: path.join(dataDir, 'blobs'), publicUrl: config.publicUrl }),
      background: { wake() {}, nextPass: () => new Promise(() => {}) },
      uploads: new UploadGate(config.uploads),
    };
    ctx = { actor: { keyId: 'ak_test', userId: 'owner', organizationId: 'org', scopes: ['avatars:read', 'avatars:write'] }, services };
  });
  afterEach(async () => {
    vi.useRealTimers();
    await new Promise((resolve) => renderer.server.close(resolve));
    await store.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const at = (ms: number) => vi.setSystemTime(new Date(T0.getTime() + ms));

  async function readyPortrait(overrides: Partial<AvatarRecord> = {}): Promise<string> {
    const avatar = readyPortraitRecord(overrides);
    await store.avatars.insert(avatar);
    return avatar.id;
  }

  /** A ready portrait its owner has deployed, and a reconciler over `orchestrator` that has not run yet. */
  async function deployedPortrait(orchestrator = new InMemoryOrchestrator()) {
    const reconciler = createDeploymentReconciler(services, orchestrator, silent);
    const id = await readyPortrait();
    await deployAvatar(ctx, id);
    return { orchestrator, reconciler, id };
  }

  const deploymentOf = async (id: string) => (await store.deployments.find(id))!;
  /** A control loop running only the deployment reconciler, which live sessions wait on (services.background). */
  const sessionLoop = (orchestrator: InMemoryOrchestrator, intervalMs: number) => {
    const loop = createControlLoop(
      [{ name: 'deployments', ...createDeploymentReconciler(services, orchestrator, silent) }],
      silent,
      intervalMs,
    );
    services.background = loop;
    return loop;
  };
  /**
   * An on-demand portrait nobody has deployed yet, and a control loop running in real time (a pass every
   * `intervalMs`) whose starts end as `outcome`, for `check` to start sessions against; the loop stops after it.
   */
  async function withOnDemandPortrait(
    outcome: StartOutcome,
    intervalMs: number,
    check: (id: string, orchestrator: InMemoryOrchestrator) => Promise<void>,
  ) {
    vi.useRealTimers();
    const orchestrator = new InMemoryOrchestrator(null, renderer.url);
    orchestrator.nextOutcome = outcome;
    const loop = sessionLoop(orchestrator, intervalMs);
    const id = await readyPortrait({ onDemand: { schedulingMode: 'on_demand', autoShutdownMinutes: 5 } });
    loop.start();
    try {
      await check(id, orchestrator);
    } finally {
      await loop.stop();
    }
  }
  /** The deployment as the API answers it. */
  const answered = async (id: string) => loadAvatarObject(services, (await store.avatars.findById(id))!);

  it('deploy -> running: starts the container once and publishes its endpoint', async () => {
    const { orchestrator, reconciler, id } = await deployedPortrait();
    expect((await answered(id)).deployment).toEqual({ state: 'starting', since: T0.toISOString(), restarts: 0, lastError: null });

    at(500);
    await reconciler.runOnce();
    expect(await answered(id)).toMatchObject({
      renderingEndpoint: orchestrator.endpointOf(id),
      deployment: { state: 'running', since: new Date(T0.getTime() + 500).toISOString(), restarts: 0, lastError: null },
    });
    await reconciler.runOnce();
    await deployAvatar(ctx, id);
    await reconciler.runOnce();
    expect(orchestrator.starts).toEqual([id]);
    expect(orchestrator.containers.get(id)!.spec).toMatchObject({
      avatarId: id,
      replicas: 1,
      tier: 'realtime_lipsync',
      secret: (await deploymentOf(id)).secret,
    });
  });

  it('a slow start: starting until the container turns healthy, without a second start', async () => {
    const orchestrator = new InMemoryOrchestrator();
    orchestrator.nextOutcome = { phase: 'starting' };
    const { reconciler, id } = await deployedPortrait(orchestrator);
    await reconciler.runOnce();
    await reconciler.runOnce();
    expect(await deploymentOf(id)).toMatchObject({ state: 'starting', endpoint: null });
    orchestrator.becomeHealthy(id);
    await reconciler.runOnce();
    expect(await deploymentOf(id)).toMatchObject({ state: 'running', endpoint: orchestrator.endpointOf(id) });
    expect(orchestrator.starts).toEqual([id]);
  });

  it('crash -> restart: counts restarts, backs off 1 s, 2 s ... between failing starts, keeps the last error once running', async () => {
    const { orchestrator, reconciler, id } = await deployedPortrait();
    await reconciler.runOnce();
    const exited = { phase: 'failed', lastError: 'The rendering container exited with code 1.' } as const;
    /** A pass at `ms` whose start, if it makes one, fails; the deployment after it. */
    const failingPassAt = async (ms: number) => {
      orchestrator.outcomes.push(exited);
      at(ms);
      await reconciler.runOnce();
      return deploymentOf(id);
    };

    orchestrator.crash(id, 'The rendering container was killed (SIGKILL).');
    expect(await failingPassAt(10_000)).toMatchObject({
      state: 'failed',
      restarts: 1,
      lastError: exited.lastError,
      nextAttemptAt: new Date(T0.getTime() + 11_000).toISOString(),
    });
    expect(orchestrator.starts).toHaveLength(2);

    // Inside the backoff: no start.
    at(10_999);
    await reconciler.runOnce();
    expect(orchestrator.starts).toHaveLength(2);
    expect((await deploymentOf(id)).restarts).toBe(1);

    // Past it: the next attempt fails too, and the next wait is twice as long.
    expect(await failingPassAt(11_000)).toMatchObject({
      state: 'failed',
      restarts: 2,
      nextAttemptAt: new Date(T0.getTime() + 13_000).toISOString(),
    });
    at(12_999);
    await reconciler.runOnce();
    expect(orchestrator.starts).toHaveLength(3);

    at(13_000);
    await reconciler.runOnce();
    expect(orchestrator.starts).toHaveLength(4);
    expect(await answered(id)).toMatchObject({
      renderingEndpoint: orchestrator.endpointOf(id),
      deployment: { state: 'running', restarts: 3, lastError: exited.lastError },
    });
    expect((await deploymentOf(id)).nextAttemptAt).toBeNull();

    // A new deploy is a fresh start: the count begins again.
    await undeployAvatar(ctx, id);
    await reconciler.runOnce();
    await deployAvatar(ctx, id);
    expect((await answered(id)).deployment).toMatchObject({ state: 'starting', restarts: 0, lastError: null });
  });

  it.each([
    ['replaced like a crash when the orchestrator judges it stuck', 30_000],
    ['left starting when the orchestrator never judges a slow start stuck (Kubernetes)', null],
  ] as const)('a hung start is %s', async (_, stuckAfterMs) => {
    const orchestrator = new InMemoryOrchestrator(stuckAfterMs);
    orchestrator.nextOutcome = { phase: 'starting' };
    const { reconciler, id } = await deployedPortrait(orchestrator);
    await reconciler.runOnce();
    at(30_001);
    await reconciler.runOnce();
    if (stuckAfterMs === null) {
      expect(orchestrator.starts).toEqual([id]);
      expect(await deploymentOf(id)).toMatchObject({ state: 'starting', restarts: 0 });
    } else {
      expect(orchestrator.removals).toEqual([id]);
      expect(orchestrator.starts).toEqual([id, id]);
      expect(await deploymentOf(id)).toMatchObject({
        state: 'starting',
        restarts: 1,
        lastError: 'The rendering container stopped answering its health checks.',
      });
    }
  });

  it('undeploy: stopping, then the container is removed and the deployment stopped', async () => {
    const { orchestrator, reconciler, id } = await deployedPortrait();
    await reconciler.runOnce();
    at(1000);
    await undeployAvatar(ctx, id);
    expect(await answered(id)).toMatchObject({
      renderingEndpoint: null,
      deployment: { state: 'stopping', since: new Date(T0.getTime() + 1000).toISOString() },
    });
    at(2000);
    await reconciler.runOnce();
    expect(orchestrator.containers.has(id)).toBe(false);
    expect(await deploymentOf(id)).toMatchObject({
      desired: 'stopped',
      state: 'stopped',
      endpoint: null,
      since: new Date(T0.getTime() + 2000).toISOString(),
    });
    await reconciler.runOnce();
    expect(orchestrator.starts).toEqual([id]);
  });

  it('an undeploy that lands while the reconciler waits on the orchestrator is not overwritten by what it concluded', async () => {
    const { orchestrator, reconciler, id } = await deployedPortrait();
    await reconciler.runOnce();
    // The owner undeploys between the reconciler's read and its write: while it asks for the container's status.
    const status = orchestrator.status.bind(orchestrator);
    orchestrator.status = async (avatarId) => {
      const answer = await status(avatarId);
      await undeployAvatar(ctx, id);
      return answer;
    };
    await reconciler.runOnce();
    expect(await deploymentOf(id)).toMatchObject({ desired: 'stopped', state: 'stopping', endpoint: null });
    orchestrator.status = status;
    await reconciler.runOnce();
    expect(orchestrator.containers.has(id)).toBe(false);
    expect(await deploymentOf(id)).toMatchObject({ desired: 'stopped', state: 'stopped', endpoint: null });
  });

  it("a failed start: failed with the platform's sentence, no restart counted", async () => {
    const orchestrator = new InMemoryOrchestrator();
    orchestrator.nextOutcome = { phase: 'failed', lastError: 'No node has a free nvidia-a10 GPU.' };
    const { reconciler, id } = await deployedPortrait(orchestrator);
    await reconciler.runOnce();
    expect(await answered(id)).toMatchObject({
      renderingEndpoint: null,
      deployment: { state: 'failed', restarts: 0, lastError: 'No node has a free nvidia-a10 GPU.' },
    });
  });

  it('a portrait without its preprocessed files cannot start', async () => {
    const { orchestrator, reconciler, id } = await deployedPortrait();
    await store.avatars.update(id, { artifact: null });
    await reconciler.runOnce();
    expect(await deploymentOf(id)).toMatchObject({
      state: 'failed',
      lastError: 'The avatar has no preprocessed portrait; upload a photo first.',
    });
    expect(orchestrator.starts).toEqual([]);
  });

  it("scales an idle on-demand avatar to zero without overwriting the owner's desired, and a later session wakes it", async () => {
    const orchestrator = new InMemoryOrchestrator(null, renderer.url);
    const reconciler = createDeploymentReconciler(services, orchestrator, silent);
    const loop = createControlLoop([{ name: 'deployments', ...reconciler }], silent, 60_000);
    services.background = loop;
    const id = await readyPortrait({ onDemand: { schedulingMode: 'on_demand', autoShutdownMinutes: 1 } });
    const alwaysOn = await readyPortrait({ onDemand: { schedulingMode: 'always_on', autoShutdownMinutes: 1 } });
    await deployAvatar(ctx, id);
    await deployAvatar(ctx, alwaysOn);
    await reconciler.runOnce();

    at(59_999);
    await reconciler.runOnce();
    expect((await deploymentOf(id)).state).toBe('running');

    at(60_000);
    await reconciler.runOnce();
    // The objects stay, scaled to zero (replicas 0), as Kubernetes keeps them.
    expect(orchestrator.containers.get(id)).toMatchObject({ phase: 'stopped', spec: { replicas: 0 } });
    expect(await deploymentOf(id)).toMatchObject({
      desired: 'running',
      state: 'stopped',
      scaledToZeroAt: new Date(T0.getTime() + 60_000).toISOString(),
    });
    expect(await answered(id)).toEqual(
      expect.objectContaining({
        renderingEndpoint: null,
        deployment: { state: 'stopped', since: new Date(T0.getTime() + 60_000).toISOString(), restarts: 0, lastError: null },
      }),
    );
    expect((await deploymentOf(alwaysOn)).state).toBe('running');
    await reconciler.runOnce();
    expect([...orchestrator.starts].sort()).toEqual([id, alwaysOn].sort());

    // A live session deploys the avatar and waits on the loop for it, then opens the session in the container.
    loop.start();
    try {
      const session = await startLiveSession(ctx, id);
      expect(session.sessionId).toMatch(/^ses_/);
      expect(renderer.requests).toEqual([`POST /${id}/sessions`]);
      expect(await deploymentOf(id)).toMatchObject({
        desired: 'running',
        state: 'running',
        endpoint: orchestrator.endpointOf(id),
        scaledToZeroAt: null,
        restarts: 0,
      });
      expect(orchestrator.starts.filter((s) => s === id)).toHaveLength(2);
    } finally {
      await loop.stop();
    }
  });

  it('a session waiting for a start that fails answers 503 at the next pass, not at the timeout', async () => {
    const exited = { phase: 'failed', lastError: 'The rendering container exited with code 1.' } as const;
    await withOnDemandPortrait(exited, 60_000, async (id) => {
      const started = Date.now();
      await expect(startLiveSession(ctx, id)).rejects.toMatchObject({ status: 503, code: 'service-unavailable' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await deploymentOf(id)).toMatchObject({ state: 'failed', lastError: exited.lastError });
      expect(renderer.requests).toEqual([]);
    });
  });

  it('a session gives up after SESSION_START_TIMEOUT_MS while the container is still starting', async () => {
    services.config = { ...services.config, sessions: { ...services.config.sessions, startTimeoutMs: 1000 } };
    await withOnDemandPortrait({ phase: 'starting' }, 50, async (id, orchestrator) => {
      const started = Date.now();
      await expect(startLiveSession(ctx, id)).rejects.toMatchObject({ status: 503, code: 'service-unavailable' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(orchestrator.starts).toEqual([id]);
      expect((await deploymentOf(id)).state).toBe('starting');
    });
  });

  it('a session waiting on a deployment whose avatar is deleted meanwhile answers 404', async () => {
    await withOnDemandPortrait({ phase: 'starting' }, 50, async (id) => {
      const session = startLiveSession(ctx, id);
      await new Promise((r) => setTimeout(r, 200));
      await store.avatars.delete(id);
      await expect(session).rejects.toMatchObject({ status: 404, code: 'not-found' });
    });
  });

  it('two reconcilers (two API replicas) on one database do not fight over one avatar: the lease holder acts alone', async () => {
    const orchestrator = new InMemoryOrchestrator();
    const [first, second] = [
      createDeploymentReconciler(services, orchestrator, silent),
      createDeploymentReconciler(services, orchestrator, silent),
    ];
    const ids = [await readyPortrait(), await readyPortrait(), await readyPortrait()];
    for (const id of ids) await deployAvatar(ctx, id);
    // Both told to act at once: each avatar is started exactly once.
    await Promise.all([first.runOnce(), second.runOnce()]);
    await Promise.all([first.runOnce(), second.runOnce()]);
    expect([...orchestrator.starts].sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await deploymentOf(id)).state).toBe('running');
    const owners = async () => (await store.db.selectFrom('deployments').select('lease_owner').execute()).map((l) => l.lease_owner);

    // Leases last 15 s: after that, the first replica alone takes every avatar.
    at(16_000);
    await first.runOnce();
    const holder = (await owners())[0];
    expect(new Set(await owners())).toEqual(new Set([holder]));

    // The other replica does not restart a crash it does not hold; the holder does, once.
    orchestrator.crash(ids[0]!, 'The rendering container was killed (SIGKILL).');
    await second.runOnce();
    expect(orchestrator.starts.filter((s) => s === ids[0])).toHaveLength(1);
    await first.runOnce();
    await second.runOnce();
    expect(orchestrator.starts.filter((s) => s === ids[0])).toHaveLength(2);
    expect((await deploymentOf(ids[0]!)).restarts).toBe(1);

    // The holder stops renewing (a crashed replica): once its leases run out, the other takes over.
    orchestrator.crash(ids[1]!, 'The rendering container was killed (SIGKILL).');
    at(32_000);
    await second.runOnce();
    expect(orchestrator.starts.filter((s) => s === ids[1])).toHaveLength(2);
    expect((await owners()).every((owner) => owner !== holder)).toBe(true);
  });
});
