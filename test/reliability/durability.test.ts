import { describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { runDurability } from './harness/durability-run.ts';

// A small storm (the full one is `npm run reliability`): `avatars serve` SIGKILLed twice under concurrent writes.
describe.each(STORE_KINDS)('durability under SIGKILL (%s)', (kind) => {
  it('keeps every acknowledged create, update, upload and delete, and leaves a sound store', async () => {
    const result = await runDurability({ kind, kills: 2, stormMs: 2500, minWrites: 12, workers: 6, avatarsPerWorker: 4 });
    expect(result.problems).toEqual([]);
    // The storm really wrote, and really was cut off mid-flight.
    expect(result.counts.creates).toBeGreaterThan(10);
    expect(result.counts.updates + result.counts.uploads).toBeGreaterThan(20);
    expect(result.restartMs).toHaveLength(2);
    expect(result.integrity.blobKeys).toBeGreaterThan(0);
  });
});
