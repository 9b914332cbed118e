import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';

// PostgreSQL cannot store NUL in text ("invalid byte sequence"): before these rules it answered 500 there and
// 201 on SQLite. Now both stores answer the same 400, with details naming the field.
describe.each(STORE_KINDS)('text the API stores: NUL and control characters (%s)', (kind) => {
  let server: TestServer;
  let owner: TestKey;
  beforeAll(async () => {
    server = await startTestServer(kind);
    owner = await server.makeKey('owner', 'org');
  });
  afterAll(() => server.close());

  const create = (body: Record<string, unknown>) =>
    server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'A', tier: 'stylized_3d', ...body } });

  it('refuses NUL in an avatar name or description, on create and update', async () => {
    for (const [body, path] of [
      [{ name: 'a\u0000b' }, 'name'],
      [{ description: 'nul \u0000 inside' }, 'description'],
      [{ description: '\u0000' }, 'description'],
    ] as const) {
      const answer = await create(body);
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details).toEqual([{ path, message: expect.stringMatching(/NUL/) }]);
    }
    const made = await create({ name: 'Fine' });
    expect(made.status).toBe(201);
    const put = await server.api('PUT', `/api/v1/avatars/${made.body._id}`, { key: owner, body: { name: 'x\u0000' } });
    expectError(put, 400, 'validation-failed');
    expect(put.body.details[0].path).toBe('name');
    expect((await server.api('GET', `/api/v1/avatars/${made.body._id}`, { key: owner })).body.name).toBe('Fine');
  });

  it('refuses NUL anywhere in a JSON body, a field name included, before any route sees it', async () => {
    const answer = await server.api('POST', '/api/v1/avatars', {
      key: owner,
      raw: '{"name":"A","tier":"stylized_3d","na\\u0000me":1}',
      headers: { 'content-type': 'application/json' },
    });
    expectError(answer, 400, 'validation-failed');
    expect(answer.body.details).toEqual([{ path: 'na\\u0000me', message: expect.stringMatching(/NUL/) }]);
  });

  it('refuses control characters in names (none at all) and in descriptions (all but tab and line breaks)', async () => {
    for (const name of ['line\nbreak', 'tab\there', 'bell\u0007', 'escape \u001b[31mred', 'del\u007f', 'c1\u0085']) {
      const answer = await create({ name });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details).toEqual([
        { path: 'name', message: 'must not contain control characters (such as NUL, tab or line breaks)' },
      ]);
    }
    for (const description of ['bell\u0007', 'form\u000cfeed', 'vertical\u000btab', 'escape\u001b']) {
      const answer = await create({ description });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details[0].path).toBe('description');
    }
    // Multi-line text is what a description is for.
    const multiLine = await create({ name: 'Ünïcødé 名前 🙂', description: 'First line\r\nsecond\tline\n' });
    expect(multiLine.status).toBe(201);
    expect(multiLine.body).toMatchObject({ name: 'Ünïcødé 名前 🙂', description: 'First line\r\nsecond\tline' });
  });

  it('refuses NUL and control characters in API key names and user ids', async () => {
    for (const [body, path] of [
      [{ scopes: ['avatars:read'], name: 'k\u0000' }, 'name'],
      [{ scopes: ['avatars:read'], name: 'two\nlines' }, 'name'],
      [{ scopes: ['avatars:read'], userId: 'u\u0000' }, 'userId'],
      [{ scopes: ['avatars:read'], userId: 'u\u0001' }, 'userId'],
      [{ scopes: ['avatars:read'], userId: 'c1\u009b' }, 'userId'],
    ] as const) {
      const answer = await server.api('POST', '/api/v1/auth/api-keys', { key: owner, body });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details[0].path).toBe(path);
    }
    const fine = await server.api('POST', '/api/v1/auth/api-keys', {
      key: owner,
      body: { scopes: ['avatars:read'], userId: 'ünï', name: 'CI key' },
    });
    expect(fine.status).toBe(201);
  });

  it('refuses NUL and control characters in ?name= and NUL anywhere in a URL', async () => {
    for (const query of ['%00', 'a%00b', 'a%0Ab', 'a%1Bb']) {
      const answer = await server.api('GET', `/api/v1/avatars?name=${query}`, { key: owner });
      expectError(answer, 400, 'validation-failed');
      expect(answer.body.details).toHaveLength(1);
    }
    expectError(await server.api('GET', '/api/v1/avatars/avt_%00aaaaaaaaaaaaaaaa', { key: owner }), 400, 'validation-failed');
    expectError(await server.api('GET', '/api/v1/sessions/ses_%00', { key: owner }), 400, 'validation-failed');
    const listed = await server.api('GET', `/api/v1/avatars?name=${encodeURIComponent('Ünïcødé 名前 🙂')}`, { key: owner });
    expect(listed.status).toBe(200);
    expect(listed.body.count).toBe(1);
  });

  it('names the length limit when a description is far too long', async () => {
    // 900 KB: under the 1 MiB body limit, so the schema is what refuses it.
    const answer = await create({ description: 'x'.repeat(900_000) });
    expectError(answer, 400, 'validation-failed');
    expect(answer.body.details).toEqual([{ path: 'description', message: 'must be at most 2000 characters long' }]);
    expect(answer.body.error).toContain('2000 characters');
    // A wrong type still says which types are right.
    const wrongType = await create({ description: 42 });
    expect(wrongType.body.details).toEqual([{ path: 'description', message: 'must be a string or null' }]);
  });
});
