import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { serverPerSuite } from '../../../harness/server-per-suite.ts';

// Readiness while the database is down (503 database-unavailable) is in test/reliability/database-faults.test.ts;
// without ffmpeg (200, degraded) in test/reliability/missing-parts.test.ts.
describe.each(STORE_KINDS)('GET /healthz and /readyz (%s)', (kind) => {
  const server = serverPerSuite(kind);

  describe('happy', () => {
    it('answers liveness and readiness without a key, with each check: the database and the parts of Tier 2/3 rendering', async () => {
      expect((await server.api('GET', '/healthz')).body).toEqual({ status: 'ok' });
      // The rendering parts are checked in the background at start: `ok: null` until then.
      await expect
        .poll(async () => (await server.api('GET', '/readyz')).body, { timeout: 60_000, interval: 250 })
        .toEqual({
          status: 'ready',
          database: kind,
          checks: { database: { ok: true }, renderer: { ok: true }, ffmpeg: { ok: true } },
        });
    });
  });
});
