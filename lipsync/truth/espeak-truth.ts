/**
 * Speech with known phoneme timings: builds the C helper (espeak-phonemes.c) with gcc into
 * node_modules/.cache/lipsync-truth, synthesizes text with espeak-ng, and resamples with sox.
 * Test and benchmark support only (Node APIs); not part of the engine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcm16ToFloat32 } from '../pcm16.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'espeak-phonemes.c');
const CACHE = resolve(HERE, '../../node_modules/.cache/lipsync-truth');
const BINARY = join(CACHE, 'espeak-phonemes');

export interface PhonemeEvent {
  phoneme: string;
  /** Start, in samples at `sampleRate`. */
  start: number;
}

export interface SpokenText {
  samples: Float32Array;
  sampleRate: number;
  phonemes: PhonemeEvent[];
  /** espeak-ng's word events: where each word of the text starts. */
  words: WordEvent[];
}

export interface WordEvent {
  /** The word as written in the text. */
  text: string;
  /** Start, in samples at `sampleRate`. */
  start: number;
}

export function buildEspeakHelper(): string {
  let fresh = false;
  try {
    fresh = statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs;
  } catch {
    fresh = false;
  }
  if (!fresh) {
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${BINARY}.${process.pid}`;
    execFileSync('gcc', ['-O2', '-Wall', '-o', tmp, SOURCE, '-lespeak-ng'], { stdio: 'pipe' });
    execFileSync('mv', ['-f', tmp, BINARY]); // atomic: two test workers may build at once
  }
  return BINARY;
}

export interface SpeakOptions {
  voice: string;
  /** espeak pitch, 0..99 (default 50). */
  pitch?: number;
  /** Words per minute (default 160). */
  rate?: number;
  /** Resample to this rate with sox (default: espeak's own 22050 Hz). */
  sampleRate?: number;
}

export function speak(text: string, opts: SpeakOptions): SpokenText {
  const helper = buildEspeakHelper();
  const dir = mkdtempSync(join(tmpdir(), 'lipsync-'));
  try {
    const raw = join(dir, 'speech.pcm');
    const out = execFileSync(helper, [opts.voice, String(opts.pitch ?? 50), String(opts.rate ?? 160), raw, text], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const nativeRate = Number(lines[0][1]);
    let pcm = raw;
    const rate = opts.sampleRate ?? nativeRate;
    if (rate !== nativeRate) {
      pcm = join(dir, 'resampled.pcm');
      const fmt = ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'];
      // -R: sox dithers with a fixed seed, so a text gives the same samples on every run (and every score with them).
      execFileSync('sox', ['-V1', '-R', ...fmt, '-r', String(nativeRate), raw, ...fmt, '-r', String(rate), pcm]);
    }
    const samples = pcm16ToFloat32(new Uint8Array(readFileSync(pcm)));
    const at = (start: string) => Math.round((Number(start) * rate) / nativeRate);
    const phonemes = lines
      .slice(1)
      .filter(([name]) => name !== '#word')
      .map(([phoneme, start]) => ({ phoneme, start: at(start) }));
    const chars = [...text];
    const words = lines
      .filter(([name]) => name === '#word')
      .map(([, start, position, length]) => ({
        text: chars.slice(Number(position) - 1, Number(position) - 1 + Number(length)).join(''),
        start: at(start),
      }));
    return { samples, sampleRate: rate, phonemes, words };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
