// The session watcher (src/reconciler/session-watcher.ts) against a real rendering container: an end the container
// makes on its own (here its time limit) is written down, with the container's reason, and announced as
// session.ended without anyone reading the session; a session the container no longer knows ends `renderer-gone`;
// a live one is left alone. Each end is announced once, however often the watcher (or another replica) asks.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Ctx, Services } from '../../src/domain/context.ts';
import { createWebhook } from '../../src/domain/webhooks/create-webhook.ts';
import { createSessionWatcher } from '../../src/reconciler/session-watcher.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { createSession, SECRET, startLiveRenderer } from '../renderer/live-renderer.ts';
import { liveSessionRecord, readyPortraitRecord, storeServices } from '../harness/store-services.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';

const log = pino({ level: 'silent' });
let live: Awaited<ReturnType<typeof startLiveRenderer>>;

beforeAll(async () => {
  live = await startLiveRenderer();
}, 120_000);
afterAll(async () => {
  await live?.stop();
});

describe.each(STORE_KINDS)('session watcher (%s)', (kind) => {
  let store: Store;
  let services: Services;
  let dataDir: string;
  let dropSchema: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'session-watcher-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    dropSchema = schema?.drop;
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SESSION_WATCH_INTERVAL_MS: '100',
      ...(kind === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema!.schema } : {}),
    });
    store = openStore(config);
    await migrate(store);
    services = storeServices(store, config);
  });
  afterAll(async () => {
    await store.close();
    await dropSchema?.();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** A running portrait avatar whose deployment is the real container, and one webhook for session.ended. */
  async function avatarOnContainer(): Promise<{ avatarId: string; events: () => Promise<Record<string, unknown>[]> }> {
    const organizationId = `org_${kind}_watch`;
    const avatar = readyPortraitRecord({ organizationId, resources: { cpu: '2', memory: '8Gi', gpu: 0, gpuType: 'nvidia-a10' } });
    await store.avatars.insert(avatar);
    const avatarId = avatar.id;
    const now = new Date().toISOString();
    await store.deployments.upsert({
      avatarId,
      desired: 'running',
      state: 'running',
      since: now,
      restarts: 0,
      lastError: null,
      endpoint: live.renderer.baseUrl,
      secret: SECRET,
      lastUsedAt: now,
      nextAttemptAt: null,
    });
    const ctx: Ctx = {
      actor: { keyId: 'ak_t', userId: 'owner', organizationId, scopes: ['webhooks:admin'] },
      services,
    };
    const hook = await createWebhook(ctx, { url: 'https://hooks.example.invalid/x', events: ['session.ended'] });
    const events = async () =>
      (await store.webhooks.listDeliveries(hook._id, 100, 0)).deliveries.map((d) => JSON.parse(d.payload).data as Record<string, unknown>);
    return { avatarId, events };
  }

  /** A session the API holds as live; in the container too unless `inContainer` is false. */
  async function session(avatarId: string, inContainer: { maxSessionSeconds?: number } | false): Promise<string> {
    const id = `ses_${kind.slice(0, 2)}${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}${'0'.repeat(8)}`;
    if (inContainer) {
      const created = await createSession(live.renderer.baseUrl, {
        sessionId: id,
        token: `${id}-agent-0123456789abcdef`,
        viewerToken: `${id}-viewer-0123456789abcdef`,
        ...inContainer,
      });
      expect(created.status).toBe(201);
    }
    await store.liveSessions.insert(liveSessionRecord(avatarId, { id }));
    return id;
  }

  it("writes down and announces the container's own ends, once, and leaves live sessions alone", async () => {
    const { avatarId, events } = await avatarOnContainer();
    const timed = await session(avatarId, { maxSessionSeconds: 1 });
    const gone = await session(avatarId, false);
    const alive = await session(avatarId, {});
    const watcher = createSessionWatcher(services, log);

    // Until the container ends `timed`, only the session it never knew is over.
    await watcher.runOnce();
    expect(await events()).toEqual([expect.objectContaining({ sessionId: gone, avatarId, endReason: 'renderer-gone' })]);

    // The container ends `timed` at its time limit; the watcher learns of it on a later pass, nobody reading it.
    const deadline = Date.now() + 30_000;
    while (!(await store.liveSessions.find(timed))?.endedAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await watcher.runOnce();
    }
    expect(await store.liveSessions.find(timed)).toMatchObject({ endReason: 'max-session', endedAt: expect.any(String) });
    expect(await store.liveSessions.find(alive)).toMatchObject({ endedAt: null, endReason: null });

    // A second watcher (another replica) asking again announces nothing more.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await createSessionWatcher(services, log).runOnce();
    await watcher.runOnce();
    const announced = await events();
    expect(announced.map((e) => e.sessionId).sort()).toEqual([gone, timed].sort());
    expect(announced.find((e) => e.sessionId === timed)).toMatchObject({ avatarId, endReason: 'max-session' });
  }, 60_000);

  it('asks nothing before its interval has passed since the last pass', async () => {
    const { avatarId, events } = await avatarOnContainer();
    const watcher = createSessionWatcher(services, log);
    await watcher.runOnce();
    const gone = await session(avatarId, false);
    await watcher.runOnce(); // within 100 ms of the first pass: skipped
    expect((await events()).map((e) => e.sessionId)).not.toContain(gone);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await watcher.runOnce();
    expect((await events()).map((e) => e.sessionId)).toContain(gone);
  });
});
