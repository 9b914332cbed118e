import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { serverPerSuite } from '../../../harness/server-per-suite.ts';

// Readiness while the database is down (503 database-unavailable) is in test/reliability/database-faults.test.ts.
describe.each(STORE_KINDS)('GET /healthz and /readyz (%s)', (kind) => {
  const server = serverPerSuite(kind);

  describe('happy', () => {
    it('answers liveness and readiness without a key', async () => {
      expect((await server.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
      expect((await server.api('GET', '/readyz')).body).toEqual({ status: 'ready', database: kind });
    });
  });
});
