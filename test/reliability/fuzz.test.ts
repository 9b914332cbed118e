import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/test-server.ts';
import { fuzzOpenApi } from './harness/openapi-fuzz.ts';
import { fuzzTarget } from './harness/fuzz-target.ts';

// Fixed seeds keep the default suite deterministic; `npm run reliability` runs thousands per operation, seeded anew.
const RUNS = { sqlite: 300, postgres: 100 } as const;

describe.each(['sqlite', 'postgres'] as const)('OpenAPI fuzzing (%s)', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it('answers any request to any documented operation without a 5xx, every error in the shape of docs/design.md', async () => {
    const key = await server.makeKey('u_fuzz', 'org_fuzz');
    const result = await fuzzOpenApi(fuzzTarget(server.url, key.key), { runs: RUNS[kind], seed: 20250201, routerEdges: true });
    expect(result.problems.slice(0, 20)).toEqual([]);
    expect(result.operations.length).toBeGreaterThanOrEqual(13);
    for (const op of result.operations) expect(op.requests, op.operation).toBe(RUNS[kind]);
    // The fuzz both got past validation and was refused, on most operations.
    const both = result.operations.filter((op) => {
      const statuses = Object.keys(op.statuses).map(Number);
      return statuses.some((s) => s < 300) && statuses.some((s) => s >= 400);
    });
    expect(both.length).toBeGreaterThanOrEqual(6);
  });
});
