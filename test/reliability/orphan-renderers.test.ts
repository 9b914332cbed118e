import { describe, expect, it } from 'vitest';
import { runOrphanRenderers } from './harness/orphan-renderers.ts';

describe('local renderers whose API is gone (RENDERER_ORPHAN_SECONDS)', () => {
  it('are adopted by an API started again within the orphan time, and stop themselves once no API calls', async () => {
    const result = await runOrphanRenderers({ orphanSeconds: 8 });
    expect(result.problems).toEqual([]);
    expect(result.samePid).toBe(true);
    expect(result.restarts).toBe(0);
    expect(result.keptWhileCalled).toBe(true);
    expect(result.orphanExitMs).toBeGreaterThanOrEqual(8000 - 1500);
    expect(result.orphanExitMs).toBeLessThan(8000 + 20_000);
  }, 180_000);
});
