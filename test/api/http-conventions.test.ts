// What every route shares rather than one route's behaviour: metrics, the OpenAPI document, 404 for unknown
// routes, request ids and the rate limit. /healthz, /readyz and /blobs/* have their files under routes/system/.
import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { serverPerSuite } from '../harness/server-per-suite.ts';
import { expectError } from '../harness/expect-error.ts';

const METRICS_TOKEN = 'metrics-token-for-tests';

describe.each(STORE_KINDS)('HTTP conventions every route follows (%s)', (kind) => {
  const server = serverPerSuite(kind, { METRICS_TOKEN: METRICS_TOKEN });

  it('serves Prometheus metrics with request counts and latency by route and status', async () => {
    await server.api('GET', '/api/v1/avatars');
    const metrics = await server.api('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/avatars",status="401"\} \d+/);
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/avatars",status="401"\}/);
  });

  it('serves an OpenAPI 3.1 document of every endpoint, and a page to read it', async () => {
    const doc = (await server.api('GET', '/api/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/avatars',
      '/api/v1/avatars/{id}',
      '/api/v1/avatars/{id}/preview',
      '/api/v1/auth/whoami',
      '/api/v1/auth/api-keys',
      '/api/v1/auth/api-keys/{id}',
    ]) {
      expect(paths).toContain(p);
    }
    expect(doc.paths['/api/v1/avatars'].post.requestBody.content['application/json'].schema.properties.tier).toBeDefined();
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    // Shared shapes are named once and referred to.
    expect(doc.paths['/api/v1/avatars/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Avatar',
    });
    expect(doc.paths['/api/v1/avatars/{id}'].get.responses['404']).toEqual({ $ref: '#/components/responses/Error' });
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ApiKey', 'Avatar', 'AvatarSummary', 'ErrorBody']));
    const page = await fetch(`${server.url}/docs`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
  });

  it('links what each create operation makes to every operation on it (OpenAPI links: scripts/api-fuzz follows them)', async () => {
    const doc = (await server.api('GET', '/api/v1/openapi.json')).body;
    const linksOf = (path: string, status: string) => doc.paths[path].post.responses[status].links;
    const targets = (path: string, status = '201') =>
      Object.values(linksOf(path, status) as Record<string, { operationRef: string; parameters: Record<string, string> }>).map(
        ({ operationRef, parameters }) => {
          // A JSON pointer into the document: #/paths/<path with / as ~1>/<method>.
          const [, , target, method] = operationRef.split('/');
          const targetPath = target.replaceAll('~1', '/').replaceAll('~0', '~');
          expect(doc.paths[targetPath]?.[method], operationRef).toBeDefined();
          return `${method.toUpperCase()} ${targetPath} ${parameters.id}`;
        },
      );
    expect(targets('/api/v1/avatars').sort()).toEqual(
      [
        'GET /api/v1/avatars/{id}',
        'PUT /api/v1/avatars/{id}',
        'DELETE /api/v1/avatars/{id}',
        'POST /api/v1/avatars/{id}/preview',
        'POST /api/v1/avatars/{id}/source',
        'POST /api/v1/avatars/{id}/deploy',
        'POST /api/v1/avatars/{id}/undeploy',
        'POST /api/v1/avatars/{id}/sessions',
        'GET /api/v1/avatars/{id}/sessions',
        'POST /api/v1/avatars/{id}/videos',
        'GET /api/v1/avatars/{id}/videos',
      ]
        .map((operation) => `${operation} $response.body#/_id`)
        .sort(),
    );
    expect(targets('/api/v1/avatars/{id}/sessions')).toEqual(
      expect.arrayContaining([
        'GET /api/v1/sessions/{id} $response.body#/sessionId',
        'DELETE /api/v1/sessions/{id} $response.body#/sessionId',
      ]),
    );
    expect(targets('/api/v1/auth/api-keys')).toEqual(['DELETE /api/v1/auth/api-keys/{id} $response.body#/id']);
    expect(targets('/api/v1/webhooks').sort()).toEqual([
      'DELETE /api/v1/webhooks/{id} $response.body#/_id',
      'GET /api/v1/webhooks/{id} $response.body#/_id',
      'GET /api/v1/webhooks/{id}/deliveries $response.body#/_id',
    ]);
    // A video is a job: its link comes from the 202 that queued it.
    expect(targets('/api/v1/avatars/{id}/videos', '202').sort()).toEqual([
      'DELETE /api/v1/videos/{id} $response.body#/_id',
      'GET /api/v1/videos/{id} $response.body#/_id',
    ]);
  });

  it('answers unknown routes with 404 not-found in the error shape', async () => {
    expectError(await server.api('GET', '/api/v1/nothing'), 404, 'not-found');
    expectError(await server.api('PATCH', '/api/v1/avatars'), 404, 'not-found');
    expectError(await server.api('GET', '/nothing-here'), 404, 'not-found');
  });

  it('gives every answer a request id, and keeps one the client sent', async () => {
    const mine = await server.api('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-123');
    expect((await server.api('GET', '/healthz')).headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
  });
});

describe('rate limit per API key', () => {
  const server = serverPerSuite('sqlite', { RATE_LIMIT_PER_MINUTE: '5' });

  it('answers 429 rate-limited with Retry-After past the limit, for that key only', async () => {
    const busy = await server.makeKey('busy', 'o');
    const calm = await server.makeKey('calm', 'o');
    for (let i = 0; i < 5; i++) expect((await server.api('GET', '/api/v1/avatars', { key: busy })).status).toBe(200);
    const limited = await server.api('GET', '/api/v1/avatars', { key: busy });
    expectError(limited, 429, 'rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await server.api('GET', '/api/v1/avatars', { key: calm })).status).toBe(200);
  });
});
