import { describe, expect, it } from 'vitest';
import { IdleMotion } from './idle-motion.ts';

describe('IdleMotion', () => {
  it('holds the gaze still between quick saccades', () => {
    const motion = new IdleMotion(3);
    const samples = Array.from({ length: 600 }, (_, i) => motion.pose(i / 100));
    const steps = samples.slice(1).map((p, i) => Math.hypot(p.gazeX - samples[i].gazeX, p.gazeY - samples[i].gazeY));
    const still = steps.filter((s) => s === 0).length;
    expect(still).toBeGreaterThan(steps.length * 0.8);
    // Several saccades in six seconds, each crossing within a few hundredths of a second.
    const moving = steps.map((s) => s > 0);
    const saccades = moving.filter((m, i) => m && !moving[i - 1]).length;
    expect(saccades).toBeGreaterThanOrEqual(2);
    for (const p of samples) expect(Math.abs(p.gazeX)).toBeLessThanOrEqual(1);
  });

  it('breathes at about 0.25 Hz and sways smoothly within a few degrees', () => {
    const motion = new IdleMotion(3);
    expect(motion.pose(1).breath).toBeGreaterThan(0);
    expect(motion.pose(1).breath).toBeCloseTo(-motion.pose(3).breath, 10);
    expect(motion.pose(0).breath).toBeCloseTo(motion.pose(4).breath, 10);
    let largestStep = 0;
    for (let t = 0; t < 20; t += 1 / 30) {
      const a = motion.pose(t);
      const b = motion.pose(t + 1 / 30);
      expect(Math.abs(a.headRoll)).toBeLessThan((3 * Math.PI) / 180);
      largestStep = Math.max(largestStep, Math.abs(b.headRoll - a.headRoll));
    }
    expect(largestStep).toBeGreaterThan(0);
    expect(largestStep).toBeLessThan(0.005);
  });
});
