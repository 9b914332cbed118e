import { describe, expect, it } from 'vitest';
import { emitEvent } from '../../../../src/domain/webhooks/emit-event.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('DELETE /api/v1/webhooks/:id (%s)', (kind) => {
  // Deliveries to example.com (a public name) are never due before the test ends: the retry waits are long.
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin']);
  const make = async () =>
    (await server.api('POST', '/api/v1/webhooks', { key: admin, body: { url: 'https://example.invalid/h', events: ['session.ended'] } }))
      .body;

  describe('happy', () => {
    it('removes the endpoint and its delivery log: 204, then 404, and new events record nothing for it', async () => {
      const created = await make();
      const store = server.server.services.store.webhooks;
      await emitEvent(server.server.services, { type: 'session.ended', organizationId: 'org_a', userId: 'u', data: {} });
      expect((await store.listDeliveries(created._id, 10, 0)).count).toBe(1);
      const answer = await server.api('DELETE', `/api/v1/webhooks/${created._id}`, { key: admin });
      expect(answer.status).toBe(204);
      expect(answer.body).toBe('');
      expectError(await server.api('GET', `/api/v1/webhooks/${created._id}`, { key: admin }), 404, 'not-found');
      expect((await store.listDeliveries(created._id, 10, 0)).count).toBe(0);
      await emitEvent(server.server.services, { type: 'session.ended', organizationId: 'org_a', userId: 'u', data: {} });
      expect((await store.listDeliveries(created._id, 10, 0)).count).toBe(0);
      expectError(await server.api('DELETE', `/api/v1/webhooks/${created._id}`, { key: admin }), 404, 'not-found');
    });
  });

  describe('error', () => {
    it("never removes another organization's endpoint: 404, and it stays", async () => {
      const created = await make();
      for (const key of [
        await server.makeKey('admin', 'org_b', ['webhooks:admin']),
        await server.makeKey('admin', null, ['webhooks:admin']),
      ]) {
        expectError(await server.api('DELETE', `/api/v1/webhooks/${created._id}`, { key }), 404, 'not-found');
      }
      expect((await server.api('GET', `/api/v1/webhooks/${created._id}`, { key: admin })).status).toBe(200);
    });

    it('answers 404 for a missing or malformed id', async () => {
      expectError(await server.api('DELETE', '/api/v1/webhooks/whk_000000000000000000000000', { key: admin }), 404, 'not-found');
      expectError(await server.api('DELETE', '/api/v1/webhooks/x', { key: admin }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'DELETE /api/v1/webhooks/whk_000000000000000000000000', { scope: 'webhooks:admin' });
  });
});
