import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestServer } from '../harness/test-server.ts';
import { runTenancyMatrix } from './harness/tenancy-matrix.ts';
import { matrixServer } from './harness/matrix-server.ts';

describe.each(STORE_KINDS)('tenancy matrix (%s)', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it('lets no key read or write across a tenant, and hides other tenants behind the 404 of a missing avatar', async () => {
    const result = await runTenancyMatrix(matrixServer(server.url, server.server.services.store));
    expect(result.problems).toEqual([]);
    expect(result.endpoints).toBeGreaterThanOrEqual(13);
    // 12 kinds a tenant is given, and 7 an attacker can mint (each tenant's user id in another organization or none).
    expect(result.keys).toBe(19);
    expect(result.cells).toBeGreaterThan(500);
  });
});
