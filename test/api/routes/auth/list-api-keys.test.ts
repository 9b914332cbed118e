import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { securityTests } from '../../../harness/security.ts';

// Listing after a create, and what an orgless admin sees, are in create-api-key.test.ts; another organization's
// keys staying out of the list, in revoke-api-key.test.ts.
describe.each(STORE_KINDS)('GET /api/v1/auth/api-keys (%s)', (kind) => {
  const server = serverPerSuite(kind);
  const admin = keyPerSuite(server, 'admin', 'org_a', ['keys:admin', 'avatars:read', 'avatars:write']);

  describe('happy', () => {
    it("lists the organization's keys, the caller's own included, with prefixes and no secrets", async () => {
      const colleague = await server.makeKey('colleague', 'org_a', ['avatars:read']);
      await server.makeKey('stranger', 'org_b', ['avatars:read']);
      const answer = await server.api('GET', '/api/v1/auth/api-keys', { key: admin });
      expect(answer.status).toBe(200);
      const ids = answer.body.keys.map((k: { id: string }) => k.id);
      expect(ids).toEqual(expect.arrayContaining([admin.id, colleague.id]));
      expect(answer.body.keys.every((k: { organizationId: string }) => k.organizationId === 'org_a')).toBe(true);
      expect(answer.body.keys.find((k: { id: string }) => k.id === colleague.id)).toMatchObject({
        userId: 'colleague',
        prefix: colleague.key.slice(0, 7),
      });
      expect(JSON.stringify(answer.body)).not.toContain(colleague.key);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'GET /api/v1/auth/api-keys', { scope: 'keys:admin' });
  });
});
