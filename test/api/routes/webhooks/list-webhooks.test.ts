import { describe, expect, it } from 'vitest';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';

describe.each(STORE_KINDS)('GET /api/v1/webhooks (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin']);
  const make = (key: typeof admin | string, n: number) =>
    server.api('POST', '/api/v1/webhooks', { key, body: { url: `https://example.com/${n}`, events: ['video.completed'] } });

  describe('happy', () => {
    it("lists the organization's endpoints newest first, without secrets, with count, limit and offset", async () => {
      for (let i = 0; i < 3; i++) expect((await make(admin, i)).status).toBe(201);
      const colleague = await server.makeKey('colleague', 'org_a', ['webhooks:admin']);
      expect((await make(colleague, 3)).status).toBe(201);
      const all = await server.api('GET', '/api/v1/webhooks', { key: admin });
      expect(all.status).toBe(200);
      expect(all.body.count).toBe(4);
      expect(all.body.webhooks.map((w: { url: string }) => w.url)).toEqual([3, 2, 1, 0].map((n) => `https://example.com/${n}`));
      expect(all.body.webhooks.every((w: Record<string, unknown>) => !('secret' in w))).toBe(true);
      const page = await server.api('GET', '/api/v1/webhooks?limit=2&offset=1', { key: admin });
      expect(page.body.count).toBe(4);
      expect(page.body.webhooks.map((w: { url: string }) => w.url)).toEqual(['https://example.com/2', 'https://example.com/1']);
    });

    it("never lists another organization's endpoints, nor an orgless user's to anyone else", async () => {
      const other = await server.makeKey('admin', 'org_b', ['webhooks:admin']);
      expect((await server.api('GET', '/api/v1/webhooks', { key: other })).body).toEqual({ webhooks: [], count: 0 });
      const solo = await server.makeKey('admin', null, ['webhooks:admin']);
      expect((await make(solo, 9)).status).toBe(201);
      const soloList = (await server.api('GET', '/api/v1/webhooks', { key: solo })).body;
      expect(soloList.count).toBe(1);
      const orgList = (await server.api('GET', '/api/v1/webhooks', { key: admin })).body;
      expect(orgList.webhooks.every((w: { organizationId: string }) => w.organizationId === 'org_a')).toBe(true);
      const otherSolo = await server.makeKey('stranger', null, ['webhooks:admin']);
      expect((await server.api('GET', '/api/v1/webhooks', { key: otherSolo })).body.count).toBe(0);
    });
  });

  describe('error', () => {
    it('refuses a bad limit or offset with 400 validation-failed', async () => {
      expectError(await server.api('GET', '/api/v1/webhooks?limit=0', { key: admin }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/webhooks?limit=201', { key: admin }), 400, 'validation-failed');
      expectError(await server.api('GET', '/api/v1/webhooks?offset=-1', { key: admin }), 400, 'validation-failed');
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/webhooks', { scope: 'webhooks:admin' });
  });
});
