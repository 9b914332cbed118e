import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Speech as an agent's TTS would send it: espeak-ng's voice converted by sox to raw PCM16 LE mono. */
export function espeakPcm16(text: string, sampleRate: 16000 | 24000 = 16000): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'live-speech-'));
  try {
    const wav = path.join(dir, 'out.wav');
    const raw = path.join(dir, 'out.raw');
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, text]);
    execFileSync('sox', [wav, '-r', String(sampleRate), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-t', 'raw', raw]);
    return readFileSync(raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
