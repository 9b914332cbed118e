import { describe, expect, it } from 'vitest';
import { runRendererFaults } from './harness/renderer-faults.ts';

describe('rendering container killed, slow and hung', () => {
  it('answers preview with 503 within its timeout, recovers killed and slow containers, and keeps other requests answering', async () => {
    const result = await runRendererFaults({ previewTimeoutMs: 2000, recoveryLimitMs: 45_000 });
    expect(result.problems).toEqual([]);
    expect(result.faults.map((f) => f.fault)).toEqual(['killed', 'slow', 'hung']);
    for (const fault of result.faults) {
      expect(fault.previewStatus, fault.fault).toBe(503);
      expect(fault.otherRequests.non200, fault.fault).toBe(0);
    }
    expect(result.faults.find((f) => f.fault === 'killed')!.recoveredMs).not.toBeNull();
    expect(result.faults.find((f) => f.fault === 'slow')!.recoveredMs).not.toBeNull();
    // A hung container (alive, not answering) is replaced after RENDERER_START_TIMEOUT_MS (8 s here: a restart under load must not look hung).
    expect(result.faults.find((f) => f.fault === 'hung')!.recoveredMs).not.toBeNull();
  }, 180_000);
});
