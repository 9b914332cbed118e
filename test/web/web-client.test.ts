// The web client's types (web/api/openapi-types.ts) are what scripts/generate-web-client.ts writes from the OpenAPI
// document the server builds today: a route schema changed without regenerating fails here.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderWebClientTypes, WEB_CLIENT_TYPES } from '../../scripts/generate-web-client.ts';
import { AvatarApiError, createAvatarsClient } from '../../web/api/avatars-client.ts';
import { ROOT_DIR } from '../fixtures.ts';

describe('the web client shared by the console and the SDK', () => {
  it('is generated from the current OpenAPI document', async () => {
    const [fresh, committed] = await Promise.all([renderWebClientTypes(), readFile(path.join(ROOT_DIR, WEB_CLIENT_TYPES), 'utf8')]);
    if (committed !== fresh) {
      const [want, have] = [fresh.split('\n'), committed.split('\n')];
      let line = 0;
      while (want[line] === have[line]) line++;
      expect.fail(`${WEB_CLIENT_TYPES} is stale (it differs from line ${line + 1}): run npm run generate:client`);
    }
  });
});

describe('the shared client', () => {
  /** A client whose fetch records each request and answers what `answer` makes (or throws what it throws). */
  function clientAnswering(answer: () => Response) {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const api = createAvatarsClient({
      baseUrl: 'http://avatars.test/prefix/',
      auth: () => ({ 'X-API-Key': 'sk_test' }),
      fetch: async (url, init) => {
        calls.push({ url: String(url), init: init ?? {} });
        return answer();
      },
    });
    return { api, calls };
  }

  const caught = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('it should have failed'),
      (error: unknown) => error,
    );

  it('fills path and query parameters, sends the key and a JSON body, and answers the body', async () => {
    const { api, calls } = clientAnswering(() => Response.json({ _id: 'avt_1' }));
    expect(await api.GET('/api/v1/avatars/{id}', { path: { id: 'a/b c' } })).toEqual({ _id: 'avt_1' });
    await api.GET('/api/v1/avatars', { query: { limit: 200, name: undefined } });
    await api.POST('/api/v1/avatars', { body: { name: 'Sam', tier: 'stylized_3d' } });
    expect(calls.map((c) => c.url)).toEqual([
      'http://avatars.test/prefix/api/v1/avatars/a%2Fb%20c',
      'http://avatars.test/prefix/api/v1/avatars?limit=200',
      'http://avatars.test/prefix/api/v1/avatars',
    ]);
    expect(calls[0].init.headers).toEqual({ Accept: 'application/json', 'X-API-Key': 'sk_test' });
    expect(calls[2].init).toMatchObject({ method: 'POST', body: '{"name":"Sam","tier":"stylized_3d"}' });
    expect((calls[2].init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it("turns the API's error shape into AvatarApiError, with its details and reason", async () => {
    const body = { error: 'Validation failed: name is required.', code: 'validation', details: [{ path: 'name', message: 'is required' }] };
    const { api } = clientAnswering(() => Response.json(body, { status: 400 }));
    const error = await caught(api.GET('/api/v1/avatars/{id}', { path: { id: 'avt_1' } }));
    expect(error).toBeInstanceOf(AvatarApiError);
    expect(error).toMatchObject({ message: body.error, status: 400, code: 'validation', details: body.details });
    const down = clientAnswering(() =>
      Response.json({ error: 'Avatar rendering container not ready.', code: 'service-unavailable', reason: 'starting' }, { status: 503 }),
    );
    expect(await caught(down.api.POST('/api/v1/avatars/{id}/preview', { path: { id: 'avt_1' } }))).toMatchObject({
      status: 503,
      reason: 'starting',
    });
  });

  it("reports a body that is not the API's by its status, and no answer as a network failure", async () => {
    const proxy = clientAnswering(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(await caught(proxy.api.GET('/api/v1/auth/whoami'))).toMatchObject({
      message: 'The server answered 502 Bad Gateway without an explanation.',
      status: 502,
      code: 'http-502',
    });
    const offline = clientAnswering(() => {
      throw new TypeError('fetch failed');
    });
    expect(await caught(offline.api.GET('/api/v1/auth/whoami'))).toMatchObject({
      message: 'The server at http://avatars.test could not be reached (fetch failed); check the connection and try again.',
      status: 0,
      code: 'network',
    });
  });
});
