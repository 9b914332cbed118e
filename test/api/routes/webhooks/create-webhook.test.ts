import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent } from '../../../../src/domain/webhooks/emit-event.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';
import type { TestKey } from '../../../harness/test-server.ts';
import { VRM_FIXTURES } from '../../../fixtures.ts';
import { startReceiver, type Receiver } from '../../../webhooks/receiver.ts';

describe.each(STORE_KINDS)('POST /api/v1/webhooks (%s)', (kind) => {
  const server = serverPerSuite(kind, { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_ENDPOINTS: '5' });
  const admin = keyPerSuite(server, 'admin', 'org_a', ['webhooks:admin', 'avatars:read', 'avatars:write']);
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  const create = (body: unknown, key: TestKey | string = admin) => server.api('POST', '/api/v1/webhooks', { key, body });
  const countOf = async (key = admin) => (await server.api('GET', '/api/v1/webhooks', { key })).body.count as number;

  describe('happy', () => {
    it('answers 201 with the endpoint and its secret (whsec_ + base64 of 24 bytes), shown only here', async () => {
      // Events no test here emits, so this endpoint takes no deliveries signed with a secret the receiver does not hold.
      const answer = await create({ url: receiver.url, events: ['deployment.running', 'deployment.failed'], description: ' CI hook ' });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        url: receiver.url,
        events: ['deployment.running', 'deployment.failed'],
        description: 'CI hook',
        status: 'active',
        statusReason: null,
        userId: 'admin',
        organizationId: 'org_a',
      });
      expect(answer.body._id).toMatch(/^whk_[0-9A-Za-z]{24}$/);
      expect(answer.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(answer.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
      const got = await server.api('GET', `/api/v1/webhooks/${answer.body._id}`, { key: admin });
      expect(got.body.secret).toBeUndefined();
      expect(JSON.stringify((await server.api('GET', '/api/v1/webhooks', { key: admin })).body)).not.toContain(answer.body.secret);
    });

    it("delivers the organization's events to it, signed with that secret (checked by the receiver)", async () => {
      const { body } = await create({ url: receiver.url, events: ['video.completed'] });
      receiver.useSecret(body.secret);
      const before = receiver.received.length;
      await emitEvent(server.server.services, {
        type: 'video.completed',
        organizationId: 'org_a',
        userId: 'someone-else',
        data: { videoId: 'vid_x' },
      });
      await receiver.waitFor(before + 1);
      expect(receiver.rejected).toEqual([]);
      expect(receiver.received.at(-1)?.body).toMatchObject({ type: 'video.completed', data: { videoId: 'vid_x' } });
      await server.api('DELETE', `/api/v1/webhooks/${body._id}`, { key: admin });
    });

    it("announces an avatar's VRM: accepted -> avatar.ready, refused -> avatar.failed", async () => {
      const owner = await server.makeKey('vrm-owner', 'org_vrm', ['webhooks:admin', 'avatars:read', 'avatars:write']);
      const { body } = await create({ url: receiver.url, events: ['avatar.ready', 'avatar.failed'] }, owner);
      receiver.useSecret(body.secret);
      const avatar = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Hooked', tier: 'stylized_3d' } })).body;
      const vrm = fs.readFileSync(VRM_FIXTURES.overrides);
      const upload = (data: Buffer) =>
        server.api('POST', `/api/v1/avatars/${avatar._id}/source`, {
          key: owner,
          raw: data,
          headers: { 'content-type': 'model/gltf-binary' },
        });
      const before = receiver.received.length;
      expect((await upload(vrm)).status).toBe(200);
      await receiver.waitFor(before + 1);
      expectError(await upload(vrm.subarray(0, vrm.length - 100)), 422, 'invalid-source');
      await receiver.waitFor(before + 2);
      const [ready, failed] = receiver.received.slice(before).sort((a, b) => a.body.type.localeCompare(b.body.type) * -1);
      expect(ready.body).toMatchObject({ type: 'avatar.ready', data: { avatarId: avatar._id, status: 'ready', tier: 'stylized_3d' } });
      expect(failed.body.type).toBe('avatar.failed');
      expect(failed.body.data).toMatchObject({ avatarId: avatar._id });
      expect(typeof failed.body.data.error).toBe('string');
    });

    it('takes a key minted over the keys API with webhooks:admin', async () => {
      const keys = await server.makeKey('keys-admin', 'org_a', ['keys:admin', 'webhooks:admin']);
      const minted = await server.api('POST', '/api/v1/auth/api-keys', { key: keys, body: { scopes: ['webhooks:admin'] } });
      expect(minted.status).toBe(201);
      expect(minted.body.scopes).toEqual(['webhooks:admin']);
      const answer = await create({ url: 'https://hooks.example.invalid/minted', events: ['video.failed'] }, minted.body.key);
      expect(answer.status).toBe(201);
      await server.api('DELETE', `/api/v1/webhooks/${answer.body._id}`, { key: admin });
    });

    it('makes an orgless caller its own endpoint', async () => {
      const solo = await server.makeKey('solo', null, ['webhooks:admin']);
      const answer = await create({ url: 'https://hooks.example.com/x', events: ['session.ended'] }, solo);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ userId: 'solo', organizationId: null, description: null });
    });
  });

  describe('error', () => {
    it.each([
      ['not a url', 'absolute'],
      ['ftp://example.com/x', 'http or https'],
      ['https://user:pw@example.com/x', 'password'],
      ['http://10.0.0.1/x', '10.0.0.1'],
      ['http://192.168.1.20/x', '192.168.1.20'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
      ['http://[::1]:8080/x', '::1'],
      ['http://[::ffff:10.0.0.1]/x', '::ffff'],
      ['http://[fe80::1]/x', 'fe80::1'],
      ['http://0.0.0.0/x', '0.0.0.0'],
      ['http://224.0.0.1/x', '224.0.0.1'],
      ['http://localhost:9/x', 'localhost'],
    ])('refuses the URL %s with 400 validation-failed, and makes nothing', async (url, words) => {
      const before = await countOf();
      const answer = await create({ url, events: ['video.completed'] });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details[0].path).toBe('url');
      expect(answer.body.details[0].message).toContain(words);
      expect(await countOf()).toBe(before);
    });

    it.each([
      [{ events: ['video.completed'] }],
      [{ url: 'https://example.com/x' }],
      [{ url: 'https://example.com/x', events: [] }],
      [{ url: 'https://example.com/x', events: ['video.exploded'] }],
      [{ url: 'https://example.com/x', events: ['video.completed', 'video.completed'] }],
      [{ url: 'https://example.com/x', events: ['video.completed'], secret: 'whsec_mine' }],
      [{ url: 'https://example.com/x', events: ['video.completed'], description: 'two\nlines' }],
    ])('refuses the body %j with 400 validation-failed', async (body) => {
      const before = await countOf();
      expectError(await create(body), 400, 'validation-failed');
      expect(await countOf()).toBe(before);
    });

    it('refuses a body that is not JSON', async () => {
      expectError(
        await server.api('POST', '/api/v1/webhooks', { key: admin, raw: '{"url":', headers: { 'content-type': 'application/json' } }),
        400,
        'invalid-json',
      );
    });

    it('answers 409 past WEBHOOK_MAX_ENDPOINTS for one organization', async () => {
      const full = await server.makeKey('full', 'org_full', ['webhooks:admin']);
      for (let i = 0; i < 5; i++)
        expect((await create({ url: `https://example.com/${i}`, events: ['video.failed'] }, full)).status).toBe(201);
      expectError(await create({ url: 'https://example.com/6', events: ['video.failed'] }, full), 409, 'conflict');
      expect(await countOf(full)).toBe(5);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/webhooks', {
      scope: 'webhooks:admin',
      body: { url: 'https://example.com/hook', events: ['video.completed'] },
    });
  });
});
