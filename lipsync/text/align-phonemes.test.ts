import { describe, expect, it } from 'vitest';
import { alignPhonemes } from './align-phonemes.ts';
import { phonemeOfToken, shapeOf } from './phoneme-shapes.ts';

describe('aligning phonemes to word timings', () => {
  it("fills each word's span exactly, in order, a vowel longer than the stops around it", () => {
    const timed = alignPhonemes([
      { start: 0.2, end: 0.5, phonemes: ['k', 'V', 'p'] }, // cup
      { start: 0.5, end: 0.9, phonemes: ['m', 'I', 'l', 'k'] }, // milk
    ]);
    expect(timed.map((p) => p.phoneme)).toEqual(['k', 'V', 'p', 'm', 'I', 'l', 'k']);
    expect(timed[0].start).toBe(0.2);
    expect(timed[2].end).toBe(0.5);
    expect(timed[3].start).toBe(0.5);
    expect(timed.at(-1)!.end).toBe(0.9);
    for (let i = 1; i < timed.length; i++) expect(timed[i].start).toBeCloseTo(timed[i - 1].end, 12);
    const length = (i: number) => timed[i].end - timed[i].start;
    expect(length(1)).toBeGreaterThan(length(0)); // V over k
    expect(length(1)).toBeGreaterThan(length(2)); // V over p
    expect(length(4)).toBeGreaterThan(length(6)); // I over k
  });

  it('leaves out words without phonemes or without duration', () => {
    const timed = alignPhonemes([
      { start: 0, end: 0.2, phonemes: [] },
      { start: 0.2, end: 0.2, phonemes: ['m', 'A:'] },
      { start: 0.3, end: 0.6, phonemes: ['m', 'A:'] },
    ]);
    expect(timed.map((p) => [p.phoneme, p.start])).toEqual([
      ['m', 0.3],
      ['A:', expect.any(Number)],
    ]);
  });
});

describe("phoneme shapes (espeak-ng's mnemonics)", () => {
  it('reads tokens of espeak-ng -x output: stress marks off, pauses and marks none', () => {
    expect(["'A:", ',i:', 'm', '%a#', ';', '_', '_:', '||', '', "'aI@"].map(phonemeOfToken)).toEqual([
      'A:',
      'i:',
      'm',
      'a#',
      null,
      null,
      null,
      null,
      null,
      'aI@',
    ]);
  });

  it("gives VRM's vowels (ih is see, ee is bed) and the consonant shapes", () => {
    expect(shapeOf('i:').visemes).toEqual({ ih: 1 });
    expect(shapeOf('E').visemes).toEqual({ ee: 1 });
    expect(shapeOf('A:').visemes).toEqual({ aa: 1 });
    expect(shapeOf('u:').visemes).toEqual({ ou: 1 });
    expect(shapeOf('oU')).toMatchObject({ visemes: { oh: 1 }, glide: 'ou' });
    for (const p of ['p', 'b', 'm']) expect(shapeOf(p)).toMatchObject({ open: 0, consonants: { pp: 1 } });
    for (const p of ['f', 'v']) expect(shapeOf(p).consonants).toEqual({ ff: 1 });
    for (const p of ['s', 'z', 'S', 'Z', 'tS', 'dZ']) expect(shapeOf(p).consonants).toEqual({ ss: 1 });
    expect(shapeOf('S').visemes).toEqual({ ou: 0.5 }); // sh rounds too
    for (const p of ['T', 'D', 'l']) expect(shapeOf(p).consonants).toEqual({ th: 1 });
    expect(shapeOf('t')).toMatchObject({ neutral: true, consonants: {} });
  });
});
