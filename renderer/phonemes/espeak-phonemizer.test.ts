import { describe, expect, it } from 'vitest';
import { createEspeakPhonemizer, spokenForm } from './espeak-phonemizer.ts';

describe('the espeak-ng phonemizer', () => {
  it("gives each word its phonemes in espeak-ng's mnemonics, one list per word, with the words' punctuation off", async () => {
    const phonemizer = createEspeakPhonemizer();
    const words = ['Mama', 'bought', 'five', 'cheese,', '“pizzas”', 'don’t', 'Dr.', '—', 'see'];
    const phonemes = await phonemizer.phonemize(words);
    expect(phonemes).toHaveLength(words.length);
    expect(phonemes![0]).toEqual(['m', 'A:', 'm', 'a#']);
    expect(phonemes![1]).toEqual(['b', 'O:', 't']);
    expect(phonemes![2]).toEqual(['f', 'aI', 'v']);
    expect(phonemes![3]).toEqual(['tS', 'i:', 'z']);
    expect(phonemes![4][0]).toBe('p');
    expect(phonemes![5]).toEqual(['d', 'oU', 'n', 't']);
    expect(phonemes![6].length).toBeGreaterThan(3); // "doctor"
    expect(phonemes![7]).toEqual([]); // a dash says nothing
    expect(phonemes![8]).toEqual(['s', 'i:']);
  });

  it('answers repeated words from its cache, and words alone in order', async () => {
    const phonemizer = createEspeakPhonemizer();
    const [a, b] = await Promise.all([phonemizer.phonemize(['milk', 'cup']), phonemizer.phonemize(['cup', 'of', 'milk'])]);
    expect(a).toEqual([
      ['m', 'I', 'l', 'k'],
      ['k', 'V', 'p'],
    ]);
    expect(b).toEqual([['k', 'V', 'p'], expect.any(Array), ['m', 'I', 'l', 'k']]);
  });

  it('without espeak-ng: null, said once with how to fix it, and never tried again', async () => {
    const said: string[] = [];
    const phonemizer = createEspeakPhonemizer({ command: '/nonexistent/espeak-ng', onMissing: (r) => said.push(r) });
    expect(await phonemizer.phonemize(['mama'])).toBeNull();
    expect(await phonemizer.phonemize(['papa'])).toBeNull();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/not found.*apt-get install espeak-ng.*audio alone/);
  });

  it('keeps letters, digits, apostrophes and hyphens inside words', () => {
    expect(spokenForm('“Hello,”')).toBe('Hello');
    expect(spokenForm('don’t')).toBe("don't");
    expect(spokenForm('well-known.')).toBe('well-known');
    expect(spokenForm('U.S.')).toBe('U S');
    expect(spokenForm('[[p@]]')).toBe('p');
    expect(spokenForm('...')).toBe('');
    expect(spokenForm('café')).toBe('café');
  });
});
