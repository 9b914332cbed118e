import { describe, expect, it } from 'vitest';
import { runDatabaseOutage } from './harness/database-outage.ts';

// PostgreSQL of our own (never the shared one), stopped with -m immediate under load, then started again.
describe('PostgreSQL stopped and started under load', () => {
  it('answers 503 while it is down and recovers by itself, without a restart', async () => {
    const result = await runDatabaseOutage({ downMs: 4000, beforeMs: 1500, afterMs: 4000, workers: 4 });
    expect(result.problems).toEqual([]);
    expect(result.requests.during).toBeGreaterThan(4);
    expect(result.requests.after).toBeGreaterThan(10);
    expect(Object.keys(result.duringStatuses)).toEqual(['503']);
    expect(result.readyz).toEqual({ down: 503, up: 200 });
  });
});
