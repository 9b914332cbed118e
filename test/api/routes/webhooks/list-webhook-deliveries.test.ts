import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent, newDeliveryId } from '../../../../src/domain/webhooks/emit-event.ts';
import type { WebhookDeliveryRecord } from '../../../../src/store/webhooks.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { startReceiver, type Receiver } from '../../../webhooks/receiver.ts';

describe.each(STORE_KINDS)('GET /api/v1/webhooks/:id/deliveries (%s)', (kind) => {
  const server = serverPerSuite(kind, { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin']);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  /** Polls the log until `done` holds (the server's worker delivers in the background). */
  async function logWhen(id: string, done: (body: any) => boolean) {
    for (let i = 0; i < 300; i++) {
      const answer = await server.api('GET', `/api/v1/webhooks/${id}/deliveries`, { key: admin });
      if (done(answer.body)) return answer;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the delivery log of ${id} never reached the expected state`);
  }

  describe('happy', () => {
    it('logs each event: attempts, status, last response code, next attempt and timestamps, newest first', async () => {
      const created = (
        await server.api('POST', '/api/v1/webhooks', {
          key: admin,
          body: { url: receiver.url, events: ['video.completed', 'video.failed'] },
        })
      ).body;
      receiver.useSecret(created.secret);
      receiver.answer(200, 500);
      const services = server.server.services;
      await emitEvent(services, { type: 'video.completed', organizationId: 'org_a', userId: 'u', data: { videoId: 'vid_1' } });
      await logWhen(created._id, (body) => body.deliveries?.[0]?.status === 'delivered');
      await emitEvent(services, { type: 'video.failed', organizationId: 'org_a', userId: 'u', data: { videoId: 'vid_2' } });
      const answer = await logWhen(created._id, (body) => body.count === 2 && body.deliveries[0].attempts === 1);
      expect(answer.status).toBe(200);
      const [failed, delivered] = answer.body.deliveries;
      expect(delivered).toMatchObject({
        event: 'video.completed',
        status: 'delivered',
        attempts: 1,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
        payload: { type: 'video.completed', data: { videoId: 'vid_1' } },
      });
      expect(Date.parse(delivered.deliveredAt)).toBeGreaterThanOrEqual(Date.parse(delivered.createdAt));
      expect(failed).toMatchObject({ event: 'video.failed', status: 'pending', attempts: 1, lastStatusCode: 500, deliveredAt: null });
      // The first retry is about 5 s after the attempt (±20% jitter).
      const wait = Date.parse(failed.nextAttemptAt) - Date.parse(failed.updatedAt);
      expect(wait).toBeGreaterThanOrEqual(4000);
      expect(wait).toBeLessThanOrEqual(6000);
      const page = await server.api('GET', `/api/v1/webhooks/${created._id}/deliveries?limit=1&offset=1`, { key: admin });
      expect(page.body.count).toBe(2);
      expect(page.body.deliveries.map((d: { id: string }) => d.id)).toEqual([delivered.id]);
      await server.api('DELETE', `/api/v1/webhooks/${created._id}`, { key: admin });
    });
  });

  describe('cursor', () => {
    type Page = { deliveries: { id: string }[]; count: number; nextCursor: string | null };
    /** An endpoint nobody delivers to, holding `n` finished deliveries logged a second apart (answers newest first). */
    async function endpointWithLog(n: number, updatedAt: (newestFirstIndex: number) => string) {
      const hook = (
        await server.api('POST', '/api/v1/webhooks', { key: admin, body: { url: 'https://example.invalid/log', events: ['video.failed'] } })
      ).body;
      const base = Date.parse('2001-01-01T00:00:00.000Z');
      const rows: WebhookDeliveryRecord[] = Array.from({ length: n }, (_, i) => {
        const at = new Date(base + i * 1000).toISOString();
        return delivered(hook._id, at, updatedAt(n - 1 - i));
      });
      await server.server.services.store.webhooks.insertDeliveries(rows);
      return { id: hook._id as string, newestFirst: rows.map((row) => row.id).reverse() };
    }
    const delivered = (endpointId: string, createdAt: string, updatedAt: string): WebhookDeliveryRecord => ({
      id: newDeliveryId(),
      endpointId,
      eventType: 'video.failed',
      payload: JSON.stringify({ type: 'video.failed', timestamp: createdAt, data: {} }),
      status: 'delivered',
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
      createdAt,
      updatedAt,
      deliveredAt: updatedAt,
    });
    const walk = async (id: string, query: string, during?: (before: Page[]) => Promise<unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/webhooks/${id}/deliveries?${query}${cursor === null ? '' : `&after=${cursor}`}`;
        const [answer] = await Promise.all([server.api('GET', url, { key: admin }), during?.(pages)]);
        expect(answer.status).toBe(200);
        pages.push(answer.body as Page);
        cursor = (answer.body as Page).nextCursor;
        expect(pages.length).toBeLessThan(100);
      } while (cursor !== null);
      return pages;
    };

    it('walks the log once, newest first, with the exact count on every page and null after the last', async () => {
      const log = await endpointWithLog(7, () => new Date().toISOString());
      const pages = await walk(log.id, 'limit=3');
      expect(pages.map((p) => p.deliveries.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((p) => p.deliveries.map((d) => d.id))).toEqual(log.newestFirst);
      expect(pages.map((p) => p.count)).toEqual([7, 7, 7]);
      expect((await walk(log.id, 'limit=7')).map((p) => p.deliveries.length)).toEqual([7]);
      const byOffset = (await server.api('GET', `/api/v1/webhooks/${log.id}/deliveries?limit=2&offset=1`, { key: admin })).body;
      expect(byOffset.deliveries.map((d: { id: string }) => d.id)).toEqual(log.newestFirst.slice(1, 3));
      const next = (await server.api('GET', `/api/v1/webhooks/${log.id}/deliveries?limit=2&after=${byOffset.nextCursor}`, { key: admin }))
        .body;
      expect(next.deliveries.map((d: { id: string }) => d.id)).toEqual(log.newestFirst.slice(3, 5));
      await server.api('DELETE', `/api/v1/webhooks/${log.id}`, { key: admin });
    });

    it('yields every surviving delivery exactly once while deliveries are logged and swept during the walk', async () => {
      // The sweep forgets finished deliveries last changed before a time: give them that time so that each sweep
      // takes one from the far end of the log (not yet seen) and one from the near end (already seen).
      const n = 24;
      const sweepOrder: number[] = [];
      for (let far = n - 1, near = 0; near <= far; far--, near++) sweepOrder.push(far, ...(near < far ? [near] : []));
      const stamp = (k: number) => new Date(Date.parse('2000-01-01T00:00:00.000Z') + k * 1000).toISOString();
      const log = await endpointWithLog(n, (index) => stamp(sweepOrder.indexOf(index)));
      const swept = new Set<string>();
      let sweeps = 0;
      const webhooks = server.server.services.store.webhooks;
      const pages = await walk(log.id, 'limit=4', async (before) => {
        const now = new Date().toISOString();
        sweeps += 2;
        for (const k of sweepOrder.slice(0, sweeps)) swept.add(log.newestFirst[k]!);
        await Promise.all([
          webhooks.insertDeliveries([delivered(log.id, now, now), delivered(log.id, now, now)]),
          webhooks.deleteFinishedBefore(stamp(sweeps)),
        ]);
        return before;
      });
      const seen = pages.flatMap((p) => p.deliveries.map((d) => d.id));
      expect(new Set(seen).size).toBe(seen.length);
      const surviving = log.newestFirst.filter((id) => !swept.has(id));
      expect(surviving.length).toBeGreaterThan(6);
      const seenInitial = seen.filter((id) => log.newestFirst.includes(id));
      for (const id of surviving) expect(seenInitial).toContain(id);
      expect(seenInitial).toEqual(log.newestFirst.filter((id) => seenInitial.includes(id)));
      await server.api('DELETE', `/api/v1/webhooks/${log.id}`, { key: admin });
    });

    it('refuses a cursor it did not make, an offset past 1000 and a cursor with an offset, naming the cursor', async () => {
      const log = await endpointWithLog(2, () => new Date().toISOString());
      const base = `/api/v1/webhooks/${log.id}/deliveries`;
      const cursor = (await server.api('GET', `${base}?limit=1`, { key: admin })).body.nextCursor as string;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const bad of ['!!!', 'abc', Buffer.from('[1]').toString('base64url'), Buffer.from('["a",2]').toString('base64url')]) {
        const answer = await server.api('GET', `${base}?after=${bad}`, { key: admin });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details[0].path).toBe('after');
      }
      const deep = await server.api('GET', `${base}?offset=1001`, { key: admin });
      expectError(deep, 400, 'validation-failed');
      expect(deep.body.error).toContain('use "after" with the nextCursor of the previous page');
      expectError(await server.api('GET', `${base}?after=${cursor}&offset=0`, { key: admin }), 400, 'validation-failed');
      expect((await server.api('GET', `${base}?offset=1000`, { key: admin })).body).toEqual({ deliveries: [], count: 2, nextCursor: null });
      await server.api('DELETE', `/api/v1/webhooks/${log.id}`, { key: admin });
    });
  });

  describe('error', () => {
    it("hides another organization's log behind a 404, and refuses a bad page", async () => {
      const created = (
        await server.api('POST', '/api/v1/webhooks', { key: admin, body: { url: 'https://example.invalid/x', events: ['video.failed'] } })
      ).body;
      const other = await server.makeKey('admin', 'org_b', ['webhooks:admin']);
      expectError(await server.api('GET', `/api/v1/webhooks/${created._id}/deliveries`, { key: other }), 404, 'not-found');
      expectError(await server.api('GET', '/api/v1/webhooks/whk_000000000000000000000000/deliveries', { key: admin }), 404, 'not-found');
      expectError(await server.api('GET', `/api/v1/webhooks/${created._id}/deliveries?limit=0`, { key: admin }), 400, 'validation-failed');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/webhooks/whk_000000000000000000000000/deliveries', { scope: 'webhooks:admin' });
  });
});
