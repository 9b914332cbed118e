/** Which espeak-ng phoneme table a voice speaks with: its mnemonics sound as that table defines them. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const tables = new Map<string, string>();

/** The phoneme table of `voice` (as `en-gb-x-gbclan+f5`): its voice file's `phonemes` line, else its language. */
export function phonemeTableOf(voice: string): string {
  const language = voice.split('+')[0].toLowerCase();
  let table = tables.get(language);
  if (table === undefined) {
    const data = /Data at: (\S+)/.exec(execFileSync('espeak-ng', ['--version'], { encoding: 'utf8' }))?.[1] ?? '';
    const file = readdirSync(join(data, 'lang'), { recursive: true, encoding: 'utf8' }).find(
      (f) => f.split('/').pop()?.toLowerCase() === language,
    );
    table = (file && /^phonemes\s+(\S+)/m.exec(readFileSync(join(data, 'lang', file), 'utf8'))?.[1]) || language;
    tables.set(language, table);
  }
  return table;
}
