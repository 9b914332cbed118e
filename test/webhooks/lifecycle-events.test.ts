// The events wired into the code that makes them happen: the reconciler's deployment transitions and a crash's ended
// sessions, a session's end through the API's verbs, a portrait whose preprocessing fails. Each is recorded once, for
// the avatar's organization, in the same transaction as the change it announces. (A VRM upload's avatar.ready / avatar.failed: test/api/routes/webhooks/create-webhook.test.ts.)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { deployAvatar } from '../../src/domain/avatars/deploy-avatar.ts';
import type { Ctx, Services } from '../../src/domain/context.ts';
import { endLiveSession } from '../../src/domain/sessions/end-live-session.ts';
import { createWebhook } from '../../src/domain/webhooks/create-webhook.ts';
import { createDeploymentReconciler } from '../../src/reconciler/deployment-reconciler.ts';
import { createPortraitPreprocessor } from '../../src/reconciler/portrait-preprocessor.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { InMemoryOrchestrator } from '../harness/in-memory-orchestrator.ts';
import { liveSessionRecord, readyPortraitRecord, storeServices } from '../harness/store-services.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';

const log = pino({ level: 'silent' });

describe.each(STORE_KINDS)('lifecycle webhook events (%s)', (kind) => {
  let store: Store;
  let services: Services;
  let dataDir: string;
  let dropSchema: (() => Promise<void>) | undefined;
  let org = 0;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'webhook-events-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    dropSchema = schema?.drop;
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
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

  /** A fresh organization with one webhook taking every event; its recorded deliveries' bodies, oldest first. */
  async function organization() {
    const organizationId = `org_${++org}`;
    const ctx: Ctx = {
      actor: { keyId: 'ak_t', userId: 'owner', organizationId, scopes: ['webhooks:admin', 'avatars:read', 'avatars:write'] },
      services,
    };
    const hook = await createWebhook(ctx, {
      url: 'https://hooks.example.invalid/x',
      events: ['avatar.ready', 'avatar.failed', 'deployment.running', 'deployment.failed', 'session.ended'],
    });
    const events = async () =>
      (await store.webhooks.listDeliveries(hook._id, 100, 0)).deliveries
        .reverse()
        .map((d) => JSON.parse(d.payload) as { type: string; data: Record<string, unknown> });
    return { ctx, organizationId, events, hookId: hook._id };
  }

  /**
   * Makes the database refuse every delivery to the endpoint (a trigger that raises), as a failing disk or a lost
   * connection would refuse the event's write; answers the function that lifts it.
   */
  async function refuseDeliveries(endpointId: string): Promise<() => Promise<void>> {
    const name = `refuse_${endpointId.replace(/\W/g, '_')}`;
    if (kind === 'sqlite') {
      await sql
        .raw(
          `create trigger ${name} before insert on webhook_deliveries when new.endpoint_id = '${endpointId}' ` +
            `begin select raise(abort, 'deliveries refused'); end`,
        )
        .execute(store.db);
      return async () => void (await sql.raw(`drop trigger ${name}`).execute(store.db));
    }
    await sql
      .raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin ` +
          `if new.endpoint_id = '${endpointId}' then raise exception 'deliveries refused'; end if; return new; end $$`,
      )
      .execute(store.db);
    await sql.raw(`create trigger ${name} before insert on webhook_deliveries for each row execute function ${name}()`).execute(store.db);
    return async () => void (await sql.raw(`drop function ${name}() cascade`).execute(store.db));
  }

  async function portrait(organizationId: string, overrides: Partial<AvatarRecord> = {}): Promise<string> {
    const avatar = readyPortraitRecord({ organizationId, ...overrides });
    await store.avatars.insert(avatar);
    return avatar.id;
  }

  async function liveSession(avatarId: string): Promise<string> {
    const session = liveSessionRecord(avatarId);
    await store.liveSessions.insert(session);
    return session.id;
  }

  it('deployment.running on the transition only; a crash: deployment.failed and session.ended for its sessions', async () => {
    const { ctx, organizationId, events } = await organization();
    const orchestrator = new InMemoryOrchestrator();
    const reconciler = createDeploymentReconciler(services, orchestrator, log);
    const id = await portrait(organizationId);
    await deployAvatar(ctx, id);
    await reconciler.runOnce();
    await reconciler.runOnce();
    expect(await events()).toEqual([
      { type: 'deployment.running', timestamp: expect.any(String), data: { avatarId: id, state: 'running' } },
    ]);

    const session = await liveSession(id);
    orchestrator.crash(id, 'The rendering container was killed (SIGKILL).');
    orchestrator.outcomes.push({ phase: 'failed', lastError: 'The rendering container exited with code 1.' });
    await reconciler.runOnce();
    const after = await events();
    // The two events of one pass may carry the same millisecond, so the log's order between them is not fixed.
    expect(after.map((e) => e.type).sort()).toEqual(['deployment.failed', 'deployment.running', 'session.ended']);
    const of = (type: string) => after.find((e) => e.type === type)?.data;
    expect(of('session.ended')).toMatchObject({ sessionId: session, avatarId: id, endReason: 'renderer-failed' });
    expect(of('deployment.failed')).toEqual({ avatarId: id, state: 'failed', error: 'The rendering container exited with code 1.' });
  });

  it('session.ended once when the API ends a session, whoever asks again', async () => {
    const { ctx, organizationId, events } = await organization();
    const id = await portrait(organizationId);
    const session = await liveSession(id);
    await endLiveSession(ctx, session);
    await endLiveSession(ctx, session);
    const recorded = await events();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ type: 'session.ended', data: { sessionId: session, avatarId: id, endReason: 'deleted' } });
  });

  it("avatar.failed when a portrait's preprocessing fails (here: its photo lost before processing)", async () => {
    const { organizationId, events } = await organization();
    const id = await portrait(organizationId, { status: 'preprocessing', preprocessed: false, artifact: null });
    const preprocessor = createPortraitPreprocessor(services, log);
    await preprocessor.runOnce();
    expect((await store.avatars.findById(id))?.status).toBe('failed');
    const recorded = await events();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ type: 'avatar.failed', data: { avatarId: id, tier: 'realtime_lipsync' } });
    expect(recorded[0].data.error).toMatch(/lost/);
  });

  it('writes no change whose event the database refuses, and the change with its event once it takes it', async () => {
    const { ctx, organizationId, events, hookId } = await organization();
    const lift = await refuseDeliveries(hookId);
    // A session ended through the API: the verb fails, and the session is still live.
    const id = await portrait(organizationId);
    const session = await liveSession(id);
    await expect(endLiveSession(ctx, session)).rejects.toThrow(/refused/);
    expect((await store.liveSessions.find(session))?.endedAt).toBeNull();
    // The reconciler's transition to running: the pass leaves the deployment where it was.
    const orchestrator = new InMemoryOrchestrator();
    const reconciler = createDeploymentReconciler(services, orchestrator, log);
    await deployAvatar(ctx, id);
    await reconciler.runOnce();
    expect((await store.deployments.find(id))?.state).not.toBe('running');
    // A portrait whose photo was lost: it stays preprocessing, to be taken up again.
    const waiting = await portrait(organizationId, { status: 'preprocessing', preprocessed: false, artifact: null });
    const preprocessor = createPortraitPreprocessor(services, log);
    await expect(preprocessor.runOnce()).rejects.toThrow(/refused/);
    expect((await store.avatars.findById(waiting))?.status).toBe('preprocessing');
    expect(await events()).toEqual([]);

    await lift();
    await endLiveSession(ctx, session);
    await reconciler.runOnce();
    // The preprocessor takes the avatar up again once the failed run's lease has run out.
    await sql`update avatars set lease_until = ${new Date(Date.now() - 1000).toISOString()} where id = ${waiting}`.execute(store.db);
    await preprocessor.runOnce();
    expect((await store.liveSessions.find(session))?.endReason).toBe('deleted');
    expect((await store.deployments.find(id))?.state).toBe('running');
    expect((await store.avatars.findById(waiting))?.status).toBe('failed');
    expect((await events()).map((e) => e.type).sort()).toEqual(['avatar.failed', 'deployment.running', 'session.ended']);
  });

  it("never records another organization's events", async () => {
    const mine = await organization();
    const theirs = await organization();
    const session = await liveSession(await portrait(theirs.organizationId));
    await endLiveSession(theirs.ctx, session);
    expect(await mine.events()).toEqual([]);
    expect(await theirs.events()).toHaveLength(1);
  });
});
