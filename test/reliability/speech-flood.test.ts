import { describe, expect, it } from 'vitest';
import { runSpeechFlood } from './harness/speech-flood.ts';

describe('speech flood', () => {
  it('closes a flooding agent with 4009 while the renderer, its memory and another session stay well', async () => {
    const report = await runSpeechFlood({ rounds: 3 });
    expect(report.problems).toEqual([]);
    expect(report.rendererAlive).toBe(true);
    expect(report.floods.map((f) => f.code)).toEqual([4009, 4009, 4009, 4009]);
    expect(report.floods[0]!.error).toMatch(/More than 30 s of speech is queued/);
    // The cap holds: at most 30 s queued (about 1 MiB of PCM16 at 16 kHz), however much was sent.
    expect(report.floodedQueuedMs).toBeLessThanOrEqual(30_000);
    expect(report.floods[0]!.bytesSent).toBeGreaterThan(30 * 32_000);
    // Unbounded, this flood grew the renderer by 120-150 MB before it died; bounded, it stays within noise.
    expect(report.rssMiB.duringMax - report.rssMiB.before).toBeLessThan(64);
    expect(report.bystander.framesDuringFlood).toBeGreaterThan(0);
    expect(report.bystander).toMatchObject({ spokeAfter: true, closeCode: 1000 });
    expect(report.health.non200).toBe(0);
  }, 120_000);
});
