import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent } from '../../../../src/domain/webhooks/emit-event.ts';
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
