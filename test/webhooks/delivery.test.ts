// The delivery worker against a real receiver that verifies signatures, on both stores, with a clock the test moves:
// the retry schedule, timeouts, 500 and 410 answers, the endpoint's failing state, and leases between two workers.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore } from '../../src/blobs/create-blob-store.ts';
import { loadConfig } from '../../src/config.ts';
import { UploadGate } from '../../src/domain/avatars/upload-gate.ts';
import type { Ctx, Services } from '../../src/domain/context.ts';
import { createWebhook } from '../../src/domain/webhooks/create-webhook.ts';
import { emitEvent } from '../../src/domain/webhooks/emit-event.ts';
import { migrate, openStore, type Store } from '../../src/store/database.ts';
import { createWebhookDeliveryWorker, type DeliveryWorkerOptions } from '../../src/webhooks/delivery-worker.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const SCHEDULE = [5, 300, 1800, 7200, 18_000, 36_000, 50_400];
const log = pino({ level: 'silent' });
/**
 * The worker's clock runs this far ahead of the real time emitEvent stamps, so what it records is due at the next pass
 * even on a loaded machine (a 1 s lead was overtaken in CI); well inside the receivers' 5-minute signature tolerance.
 */
const AHEAD_MS = 30_000;

describe.each(STORE_KINDS)('webhook delivery (%s)', (kind) => {
  let store: Store;
  let dataDir: string;
  let dropSchema: (() => Promise<void>) | undefined;
  let receiver: Receiver;
  let clock = Date.now() + AHEAD_MS;
  const now = () => new Date(clock);

  const servicesWith = (env: Record<string, string> = {}): Services => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_TIMEOUT_MS: '1000',
      ...(kind === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL } : {}),
      ...env,
    });
    return {
      store,
      config,
      blobs: createBlobStore(config),
      background: { wake() {}, nextPass: () => new Promise(() => {}) },
      uploads: new UploadGate(config.uploads),
    };
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'webhooks-test-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    dropSchema = schema?.drop;
    store = openStore({ dataDir, databaseUrl: kind === 'postgres' ? TEST_DATABASE_URL : null, databaseSchema: schema?.schema });
    await migrate(store);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await store.close();
    await dropSchema?.();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.rejected.length = 0;
  });

  let org = 0;
  /** An endpoint of a fresh organization subscribed to video.completed, its secret given to the receiver. */
  async function endpointOf(services: Services, url = receiver.url) {
    const organizationId = `org_${++org}`;
    const ctx: Ctx = { actor: { keyId: 'ak_test', userId: 'u_admin', organizationId, scopes: ['webhooks:admin'] }, services };
    const created = await createWebhook(ctx, { url, events: ['video.completed', 'avatar.ready'] });
    receiver.useSecret(created.secret);
    return { id: created._id, organizationId, secret: created.secret };
  }
  const emit = (services: Services, organizationId: string, data: Record<string, unknown> = { videoId: 'vid_1' }) =>
    emitEvent(services, { type: 'video.completed', organizationId, userId: 'u_someone', data });
  const workerOf = (services: Services, options: DeliveryWorkerOptions = {}) =>
    createWebhookDeliveryWorker(services, log, { now, random: () => 0.5, ...options });
  async function pass(worker: ReturnType<typeof workerOf>) {
    await worker.runOnce();
    await worker.idle();
  }
  const deliveriesOf = async (endpointId: string) => (await store.webhooks.listDeliveries(endpointId, 100, 0)).deliveries;

  it('delivers an event once, signed (Standard Webhooks), with the body { type, timestamp, data }', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    await emit(services, endpoint.organizationId, { videoId: 'vid_abc', url: 'https://x/y.mp4' });
    const worker = workerOf(services);
    await pass(worker);
    expect(receiver.rejected).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got.body.type).toBe('video.completed');
    expect(got.body.data).toEqual({ videoId: 'vid_abc', url: 'https://x/y.mp4' });
    expect(Number.isNaN(Date.parse(got.body.timestamp))).toBe(false);
    expect(got.id).toMatch(/^msg_[0-9A-Za-z]{24}$/);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({
      id: got.id,
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    // Nothing more is sent, whatever time it is.
    clock += 86_400_000;
    await pass(worker);
    expect(receiver.received).toHaveLength(1);
    await worker.stop();
  });

  it('records nothing for an organization without a subscribed endpoint, or for an event type not subscribed', async () => {
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    await emit(services, 'org_nobody');
    await emitEvent(services, { type: 'session.ended', organizationId: endpoint.organizationId, userId: 'u', data: {} });
    expect(await deliveriesOf(endpoint.id)).toEqual([]);
  });

  it('retries a receiver answering 500 on the schedule (with jitter), then stops and marks the endpoint failing', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    receiver.answer(...SCHEDULE.map(() => 500), 500);
    await emit(services, endpoint.organizationId);
    const worker = workerOf(services);
    await pass(worker);
    expect(receiver.received).toHaveLength(1);
    for (const [i, wait] of SCHEDULE.entries()) {
      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: i + 1, lastStatusCode: 500 });
      // random() = 0.5: no jitter, the schedule exactly.
      expect(Date.parse(delivery.nextAttemptAt!)).toBe(clock + wait * 1000);
      // Not before it is due.
      clock += wait * 1000 - 1000;
      await pass(worker);
      expect(receiver.received).toHaveLength(i + 1);
      clock += 1000;
      await pass(worker);
      expect(receiver.received).toHaveLength(i + 2);
    }
    // The same message every time: one webhook-id, one body.
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(new Set(receiver.received.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attempts: SCHEDULE.length + 1, lastStatusCode: 500, nextAttemptAt: null });
    const failing = await store.webhooks.findEndpoint(endpoint.id);
    expect(failing?.status).toBe('failing');
    expect(failing?.statusReason).toMatch(/HTTP 500/);
    clock += 7 * 86_400_000;
    await pass(worker);
    expect(receiver.received).toHaveLength(SCHEDULE.length + 1);
    // A failing endpoint still gets new events, and one that answers puts it back in service.
    await emit(services, endpoint.organizationId);
    await pass(worker);
    expect(receiver.received).toHaveLength(SCHEDULE.length + 2);
    expect((await store.webhooks.findEndpoint(endpoint.id))?.status).toBe('active');
    await worker.stop();
  });

  it('spreads retries by jitter within ±20% of the wait', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    for (const random of [0, 0.999]) {
      const endpoint = await endpointOf(services);
      receiver.answer(503);
      await emit(services, endpoint.organizationId);
      const worker = workerOf(services, { random: () => random });
      await pass(worker);
      const [delivery] = await deliveriesOf(endpoint.id);
      const wait = Date.parse(delivery.nextAttemptAt!) - clock;
      expect(wait).toBeGreaterThanOrEqual(4000);
      expect(wait).toBeLessThanOrEqual(6000);
      expect(wait).not.toBe(5000);
      await worker.stop();
    }
  });

  it('times out a receiver that hangs, and sends the same message again when due', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    receiver.answer('hang');
    await emit(services, endpoint.organizationId);
    const worker = workerOf(services);
    await pass(worker);
    let [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(delivery.lastError).toMatch(/no answer within 1000 ms/);
    clock += 5000;
    await pass(worker);
    [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
    expect(receiver.received.map((r) => r.id)).toEqual([delivery.id, delivery.id]);
    await worker.stop();
  });

  it('stops at once on 410 Gone: the endpoint is disabled, its pending deliveries fail, and new events skip it', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    receiver.answer(500, 410);
    await emit(services, endpoint.organizationId, { n: 1 });
    const worker = workerOf(services);
    await pass(worker);
    await emit(services, endpoint.organizationId, { n: 2 });
    // The second event's first attempt answers 410 (the first event waits for its retry).
    await pass(worker);
    expect(receiver.received.map((r) => r.answer)).toEqual([500, 410]);
    const disabled = await store.webhooks.findEndpoint(endpoint.id);
    expect(disabled?.status).toBe('disabled');
    expect(disabled?.statusReason).toMatch(/410/);
    const deliveries = await deliveriesOf(endpoint.id);
    expect(deliveries.map((d) => d.status)).toEqual(['failed', 'failed']);
    clock += 86_400_000;
    await emit(services, endpoint.organizationId, { n: 3 });
    await pass(worker);
    expect(receiver.received).toHaveLength(2);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(2);
    await worker.stop();
  });

  it('forgets finished deliveries after WEBHOOK_LOG_DAYS, and keeps pending ones whatever their age', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith({ WEBHOOK_LOG_DAYS: '1' });
    const endpoint = await endpointOf(services);
    receiver.answer(200, 500, 500);
    await emit(services, endpoint.organizationId, { n: 1 });
    await emit(services, endpoint.organizationId, { n: 2 });
    await pass(workerOf(services));
    const first = await deliveriesOf(endpoint.id);
    expect(first.map((d) => d.status).sort()).toEqual(['delivered', 'pending']);
    // The two were sent at once: which one got the 200 is the receiver's order.
    const pending = first.find((d) => d.status === 'pending')!;
    clock += 2 * 86_400_000;
    const later = workerOf(services);
    await pass(later);
    const kept = await deliveriesOf(endpoint.id);
    expect(kept.map((d) => [d.id, d.status, d.attempts])).toEqual([[pending.id, 'pending', 2]]);
    await later.stop();
  });

  it('two workers (two API replicas) never send one attempt twice: each delivery is claimed by one', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    for (let i = 0; i < 12; i++) await emit(services, endpoint.organizationId, { n: i });
    const a = workerOf(services);
    const b = workerOf(servicesWith());
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(receiver.received).toHaveLength(12);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(12);
    expect(new Set(receiver.received.map((r) => r.body.data.n)).size).toBe(12);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a delivery claimed by a replica that died is sent by another once the lease runs out', async () => {
    clock = Date.now() + AHEAD_MS;
    const services = servicesWith();
    const endpoint = await endpointOf(services);
    await emit(services, endpoint.organizationId);
    const [pending] = await deliveriesOf(endpoint.id);
    // A replica claimed it and died before answering anything.
    expect(await store.webhooks.claim(pending.id, 'wh_dead', now().toISOString(), new Date(clock + 60_000).toISOString())).toBe(true);
    const worker = workerOf(services);
    await pass(worker);
    expect(receiver.received).toHaveLength(0);
    clock += 61_000;
    await pass(worker);
    expect(receiver.received.map((r) => r.id)).toEqual([pending.id]);
    await worker.stop();
  });

  it('refuses, at delivery, a private address it was not allowed: a literal, or a name that resolves to one', async () => {
    clock = Date.now() + AHEAD_MS;
    const strict = servicesWith({ WEBHOOK_ALLOWED_HOSTS: '' });
    const loose = servicesWith();
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://localhost:${port}/hooks`]) {
      // Stored directly: the create-time check would refuse it (as a DNS name might have resolved elsewhere then).
      const endpoint = await endpointOf(loose);
      await store.webhooks.updateEndpointStatus(endpoint.id, 'active', null, now().toISOString());
      await store.db.updateTable('webhook_endpoints').set({ url }).where('id', '=', endpoint.id).execute();
      await emit(strict, endpoint.organizationId);
      const worker = workerOf(strict);
      await pass(worker);
      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toMatch(/loopback, private/);
      await worker.stop();
    }
    expect(receiver.received).toHaveLength(0);
  });
});
