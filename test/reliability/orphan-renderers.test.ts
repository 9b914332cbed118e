import { describe, expect, it } from 'vitest';
import { runOrphanRenderers } from './harness/orphan-renderers.ts';

describe('local renderers whose API is gone (RENDERER_ORPHAN_SECONDS)', () => {
  it('are adopted by an API started again within the orphan time, and stop themselves once no API calls', async () => {
    // Long enough for the API to start again on a loaded machine (a cold start took 12 s on 2 busy cores).
    const result = await runOrphanRenderers({ orphanSeconds: 20 });
    expect(result.problems).toEqual([]);
    expect(result.samePid).toBe(true);
    expect(result.restarts).toBe(0);
    expect(result.keptWhileCalled).toBe(true);
    expect(result.orphanExitMs).toBeGreaterThanOrEqual(20_000 - 1500);
    expect(result.orphanExitMs).toBeLessThan(20_000 + 20_000);
  }, 180_000);
});
