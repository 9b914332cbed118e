import { describe, expect, it } from 'vitest';
import { CountAtIncrementStore, type WindowCount } from './rate-limit.ts';

describe('rate limit store', () => {
  it('answers each request the count its own increment made, even when several land before any answer is read', async () => {
    const store = new CountAtIncrementStore({});
    // As the plugin does: each answer resolves a promise, read a microtask later, after the others' increments.
    const counts = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<WindowCount>((resolve, reject) =>
            store.incr('ak_1', (error, count) => (error ? reject(error) : resolve(count!)), 60_000, 2),
          ),
      ),
    );
    expect(counts.map((count) => count.current)).toEqual([1, 2, 3]);
    const child = store.child({});
    const other = await new Promise<WindowCount>((resolve) => child.incr('ak_1', (_error, count) => resolve(count!), 60_000, 2));
    expect(other.current).toBe(1); // a route's own limit counts apart, as the plugin's child stores do
  });
});
