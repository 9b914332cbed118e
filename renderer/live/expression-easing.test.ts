import { describe, expect, it } from 'vitest';
import { ExpressionEasing } from './expression-easing.ts';

describe('ExpressionEasing', () => {
  it('is neutral until set, eases a new emotion in over a quarter second and holds it', () => {
    const easing = new ExpressionEasing();
    expect(easing.weightsAt(0)).toEqual({});
    easing.set({ name: 'happy', intensity: 0.8 }, 1);
    expect(easing.weightsAt(1)).toEqual({});
    const half = easing.weightsAt(1.125).happy!;
    expect(half).toBeCloseTo(0.4, 5);
    expect(easing.weightsAt(1.05).happy!).toBeLessThan(half);
    expect(easing.weightsAt(1.25)).toEqual({ happy: 0.8 });
    expect(easing.weightsAt(60)).toEqual({ happy: 0.8 });
  });

  it('blends from where the face is when another emotion arrives mid-fade, and neutral clears it', () => {
    const easing = new ExpressionEasing();
    easing.set({ name: 'happy' }, 0);
    easing.set({ name: 'sad', intensity: 0.5 }, 0.125);
    const mid = easing.weightsAt(0.25);
    expect(mid.happy!).toBeGreaterThan(0);
    expect(mid.happy!).toBeLessThan(0.5);
    expect(mid.sad!).toBeGreaterThan(0);
    expect(mid.sad!).toBeLessThan(0.5);
    expect(easing.weightsAt(0.375)).toEqual({ sad: 0.5 });
    easing.set({ name: 'neutral' }, 1);
    expect(easing.weightsAt(1.1).sad!).toBeGreaterThan(0);
    expect(easing.weightsAt(1.25)).toEqual({});
  });
});
