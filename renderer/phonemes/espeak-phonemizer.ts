/**
 * Words to espeak-ng phoneme mnemonics, off the playout clock: one `espeak-ng -q -x` process per batch of words it
 * has not seen (one word a line, each ended by a full stop so each comes back on its own line), one batch at a time,
 * with the answers kept. espeak-ng is a part of the rendering container (deploy/renderer.Dockerfile); without it the
 * phonemizer answers null and says why once, and the mouth follows the audio alone.
 */
import { spawn } from 'node:child_process';
import { phonemeOfToken } from '../../lipsync/text/phoneme-shapes.ts';

export interface Phonemizer {
  /** Each word's phonemes ([] for a word it cannot say), or null when espeak-ng cannot run. */
  phonemize(words: readonly string[]): Promise<string[][] | null>;
}

export interface EspeakPhonemizerOptions {
  /** espeak-ng's voice, whose language's rules spell the words (default en-us). */
  voice?: string;
  command?: string;
  /** Told once when espeak-ng cannot run, with a sentence saying how to fix it. */
  onMissing?(reason: string): void;
  /** Words remembered (default 20,000). */
  cacheSize?: number;
}

const TIMEOUT_MS = 10_000;

/** Letters, digits and the apostrophes and hyphens inside words; anything else would make espeak-ng split or read marks. */
export function spokenForm(word: string): string {
  return word
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}'’-]+/gu, ' ')
    .replace(/’/g, "'")
    .replace(/(^|\s)['-]+|['-]+(?=\s|$)/g, '$1')
    .trim();
}

export function createEspeakPhonemizer(options: EspeakPhonemizerOptions = {}): Phonemizer {
  const voice = options.voice ?? 'en-us';
  const command = options.command ?? 'espeak-ng';
  const cacheSize = options.cacheSize ?? 20_000;
  const cache = new Map<string, string[]>();
  let missing: string | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const remember = (form: string, phonemes: string[]) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
    cache.set(form, phonemes);
  };

  const run = async (forms: string[]): Promise<void> => {
    const lines = await espeakLines(command, voice, forms);
    if (lines.length === forms.length) {
      forms.forEach((form, i) => remember(form, parseLine(lines[i])));
      return;
    }
    // espeak-ng split a line after all (an abbreviation's stop): one word at a time, so each still gets its own.
    for (const form of forms) remember(form, parseLine((await espeakLines(command, voice, [form])).join(' ')));
  };

  return {
    async phonemize(words) {
      if (missing) return null;
      const forms = words.map(spokenForm);
      const unseen = [...new Set(forms.filter((f) => f !== '' && !cache.has(f)))];
      if (unseen.length > 0) {
        const batch = queue.then(() => run(unseen.filter((f) => !cache.has(f))));
        queue = batch.catch(() => {});
        try {
          await batch;
        } catch (error) {
          // A program that is not there (or may not run) stays so: said once, never tried again. Anything else
          // (a crash, a timeout) costs only this message's words.
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EACCES') {
            missing = `${command} was not found (${code}): install espeak-ng (apt-get install espeak-ng) for the mouth to follow the agent's words; it follows the audio alone.`;
            options.onMissing?.(missing);
          }
          return null;
        }
      }
      return forms.map((f) => (f === '' ? [] : (cache.get(f) ?? [])));
    },
  };
}

function parseLine(line: string): string[] {
  return line
    .split(/\s+/)
    .map(phonemeOfToken)
    .filter((p): p is string => p !== null);
}

function espeakLines(command: string, voice: string, forms: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-q', '-x', '--sep= ', '-v', voice], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${command} exited with ${code ?? signal}: ${err.trim().slice(0, 200)}`));
      resolve(out.split('\n').filter((l) => l.trim() !== ''));
    });
    child.stdin.on('error', () => {}); // a process that failed to start: its 'error' says why
    child.stdin.end(forms.map((f) => `${f}.\n`).join(''));
  });
}
