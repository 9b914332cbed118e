import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

const MISSING = 'whk_000000000000000000000000';

describe.each(STORE_KINDS)('GET /api/v1/webhooks/:id (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin']);
  const make = async () =>
    (await server.api('POST', '/api/v1/webhooks', { key: admin, body: { url: 'https://example.com/h', events: ['avatar.ready'] } })).body;

  describe('happy', () => {
    it('answers the endpoint without its secret, to anyone of its organization with webhooks:admin', async () => {
      const created = await make();
      const colleague = await server.makeKey('colleague', 'org_a', ['webhooks:admin']);
      for (const key of [admin, colleague]) {
        const got = await server.api('GET', `/api/v1/webhooks/${created._id}`, { key });
        expect(got.status).toBe(200);
        const { secret, ...shown } = created;
        expect(secret).toMatch(/^whsec_/);
        expect(got.body).toEqual(shown);
      }
    });
  });

  describe('error', () => {
    it("hides another organization's endpoint behind the same 404 as a missing one", async () => {
      const created = await make();
      const missing = await server.api('GET', `/api/v1/webhooks/${MISSING}`, { key: admin });
      expectError(missing, 404, 'not-found');
      for (const key of [
        await server.makeKey('admin', 'org_b', ['webhooks:admin']),
        await server.makeKey('admin', null, ['webhooks:admin']),
      ]) {
        const answer = await server.api('GET', `/api/v1/webhooks/${created._id}`, { key });
        expectError(answer, 404, 'not-found');
        expect(answer.body.error.replace(created._id, 'ID')).toBe(missing.body.error.replace(MISSING, 'ID'));
      }
    });

    it('answers 404 for a malformed id', async () => {
      expectError(await server.api('GET', '/api/v1/webhooks/nope', { key: admin }), 404, 'not-found');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/webhooks/whk_000000000000000000000000', { scope: 'webhooks:admin' });
  });
});
