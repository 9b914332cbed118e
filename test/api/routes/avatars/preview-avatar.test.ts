import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';

// A Tier 1 preview (the model's URL) is in upload-source.test.ts; a Tier 2/3 clip from a deployed container, in
// ../../deployments.test.ts; the 503's `reason`, in ../../http-hardening.test.ts.
describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/preview (%s)', (kind) => {
  // A quiet reconciler: the deployment row a test writes (pointing at the stand-in container) stays as written.
  const server = serverPerSuite(kind, { RECONCILE_INTERVAL_MS: '60000' });
  const owner = keyPerSuite(server, 'user_456', 'org_xyz');
  const create = async (body: Record<string, unknown>) =>
    (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', ...body } })).body;

  // A stand-in rendering container: it keeps each POST /preview's body and answers a few bytes of "MP4".
  const received: { auth: string | undefined; body: string }[] = [];
  let container: http.Server;
  beforeAll(async () => {
    container = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.method === 'POST' && request.url === '/preview') received.push({ auth: request.headers.authorization, body });
        response.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.from('not really an mp4'));
      });
    });
    await new Promise<void>((resolve) => container.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => container.close(() => resolve())));
  const deployedPortrait = async () => {
    const a = await create({ tier: 'animated_portrait' });
    const now = new Date().toISOString();
    await server.server.services.store.deployments.upsert({
      avatarId: a._id,
      desired: 'running',
      state: 'running',
      since: now,
      restarts: 0,
      lastError: null,
      endpoint: `http://127.0.0.1:${(container.address() as AddressInfo).port}`,
      secret: 'the-secret',
      lastUsedAt: now,
      nextAttemptAt: null,
    });
    return a;
  };

  describe('happy', () => {
    it('answers an orb with previewUrl null, its colour and size', async () => {
      const a = await create({ tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#abcdef', orbSize: 1.5 });
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ avatarId: a._id, previewUrl: null, orbColor: '#abcdef', orbSize: 1.5, tier: 'stylized_3d' });
    });

    it("forwards an expression to the avatar's rendering container, and no body as the neutral face", async () => {
      const a = await deployedPortrait();
      received.length = 0;
      const happy = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, {
        key: owner,
        body: { expression: { name: 'happy', intensity: 0.8 } },
      });
      expect(happy.status).toBe(200);
      expect(happy.body).toEqual({ avatarId: a._id, previewUrl: expect.stringMatching(/\.mp4$/), status: 'completed' });
      const plain = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner });
      expect(plain.status).toBe(200);
      const sad = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner, body: { expression: { name: 'sad' } } });
      expect(sad.status).toBe(200);
      expect(received.map((r) => r.auth)).toEqual(Array(3).fill('Bearer the-secret'));
      expect(received.map((r) => JSON.parse(r.body))).toEqual([
        { expression: { name: 'happy', intensity: 0.8 } },
        {},
        { expression: { name: 'sad' } },
      ]);
    });
  });

  describe('error', () => {
    it('answers 409 conflict for a VRM avatar without a model yet', async () => {
      const a = await create({ tier: 'stylized_3d' });
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner }), 409, 'conflict');
    });

    it("answers Tier 2/3 without a rendering container with the contract's exact 503", async () => {
      for (const tier of ['animated_portrait', 'realtime_lipsync']) {
        const a = await create({ tier });
        const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, {
          key: owner,
          raw: '',
          headers: { 'content-type': 'application/json' },
        });
        expectError(answer, 503, 'service-unavailable');
        expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
      }
    });

    it('answers 400 validation-failed for an expression it does not know, and forwards nothing', async () => {
      const a = await deployedPortrait();
      received.length = 0;
      for (const body of [
        { expression: { name: 'joyful' } },
        { expression: { name: 'happy', intensity: 1.5 } },
        { expression: { name: 'happy', intensity: -0.1 } },
        { expression: { name: 'happy', intensity: '0.5' } },
        { expression: { intensity: 0.5 } },
        { expression: { name: 'happy', blend: 1 } },
        { expression: 'happy' },
        { mood: 'happy' },
      ]) {
        const answer = await server.api('POST', `/api/v1/avatars/${a._id}/preview`, { key: owner, body });
        expectError(answer, 400, 'validation-failed');
        expect(answer.body.details.length, JSON.stringify(body)).toBeGreaterThan(0);
      }
      expect(received).toEqual([]);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/avatars/:id/preview', { scope: 'avatars:write', avatar: 'visible' });
  });
});
