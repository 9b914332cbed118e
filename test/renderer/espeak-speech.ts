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

/** A WAV file (44-byte header) of mono PCM16 LE at `sampleRate`, as a user's recording would come. */
export function wavOf(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
