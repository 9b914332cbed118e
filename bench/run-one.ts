// The child process bench/run.ts starts for one bench file: runs its default export and sends each row,
// then the outcome, to the parent over IPC.
import { pathToFileURL } from 'node:url';
import { rowProblem, type BenchRow } from './bench-row.ts';

export type RunOneMessage = { type: 'row'; row: BenchRow } | { type: 'done' } | { type: 'error'; message: string };

const send = (message: RunOneMessage) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

async function main(file: string): Promise<void> {
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (typeof module.default !== 'function') throw new Error(`${file} has no default export function bench(report)`);
    const pending: Promise<void>[] = [];
    let badRow: string | null = null;
    await (module.default as (report: (row: BenchRow) => void) => Promise<void>)((row) => {
      // Checked here: IPC would turn a NaN into null and hide what went wrong.
      const problem = rowProblem(row);
      if (problem) badRow ??= problem;
      else pending.push(send({ type: 'row', row }));
    });
    await Promise.all(pending);
    await send(badRow ? { type: 'error', message: `bad row: ${badRow}` } : { type: 'done' });
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await send({ type: 'error', message });
  }
  // A bench that leaves a handle open (a pool, a timer) must not hang the run.
  process.disconnect?.();
  process.exit(0);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: run-one.ts <file.bench.ts>');
  process.exit(2);
}
await main(file);
