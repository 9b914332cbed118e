// `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones) one after another, each in a
// fresh child process so one bench's memory and warm caches do not skew the next; prints a table per bench and
// writes every row to bench/results/latest.json. A bench that fails is reported and the run goes on; the exit
// code is then 1.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rowProblem, type BenchRow } from './bench-row.ts';
import type { RunOneMessage } from './run-one.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.ts';
const RESULTS_FILE = path.join(BENCH_DIR, 'results', 'latest.json');
/** A bench that runs longer than this is stopped and counted as failed. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MINUTES || 20) * 60_000;

interface BenchResult {
  name: string;
  file: string;
  status: 'ok' | 'failed';
  error?: string;
  seconds: number;
  rows: BenchRow[];
}

let running: ChildProcess | null = null;

function findBenches(filters: string[]): { name: string; file: string }[] {
  const all = fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((f) => ({ name: f.slice(0, -SUFFIX.length), file: path.join(BENCH_DIR, f) }));
  if (filters.length === 0) return all;
  const unknown = filters.filter((f) => !all.some((b) => b.name === f));
  if (unknown.length > 0) {
    console.error(`No bench named ${unknown.join(', ')}. Benches: ${all.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  return all.filter((b) => filters.includes(b.name));
}

/** Stops a bench's whole process group: it may have started servers of its own. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function runBench(bench: { name: string; file: string }): Promise<BenchResult> {
  const started = performance.now();
  const rows: BenchRow[] = [];
  let outcome: { done: true } | { error: string } | null = null;
  return new Promise((resolve) => {
    const child = fork(path.join(BENCH_DIR, 'run-one.ts'), [bench.file], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    running = child;
    const timer = setTimeout(() => {
      outcome ??= { error: `timed out after ${TIMEOUT_MS / 60_000} min (BENCH_TIMEOUT_MINUTES)` };
      killGroup(child, 'SIGKILL');
    }, TIMEOUT_MS);
    child.on('message', (message: RunOneMessage) => {
      if (message.type === 'row') {
        const problem = rowProblem(message.row);
        if (problem) outcome ??= { error: `bad row: ${problem}` };
        else rows.push(message.row);
      } else if (message.type === 'done') outcome ??= { done: true };
      else outcome ??= { error: message.message };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running = null;
      // Whatever the bench left behind (a server child) goes with it.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // the group is already gone
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const base = { name: bench.name, file: path.relative(path.dirname(BENCH_DIR), bench.file), seconds, rows };
      if (outcome && 'done' in outcome) resolve({ ...base, status: 'ok' });
      else {
        const error = outcome?.error ?? `the bench process ended (${signal ?? `exit code ${code}`}) without reporting an outcome`;
        resolve({ ...base, status: 'failed', error });
      }
    });
  });
}

function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function printTable(result: BenchResult): void {
  const head = `${result.name} — ${result.status === 'ok' ? 'ok' : 'FAILED'} in ${result.seconds.toFixed(1)} s`;
  console.log(`\n${head}\n${'='.repeat(head.length)}`);
  if (result.rows.length > 0) {
    const cells = result.rows.map((r) => [r.name, formatValue(r.value), r.unit, r.note ?? '']);
    const width = (i: number) => Math.max(...cells.map((c) => c[i]!.length), ['name', 'value', 'unit'][i]?.length ?? 0);
    const [w0, w1, w2] = [width(0), width(1), width(2)];
    console.log(`${'name'.padEnd(w0)}  ${'value'.padStart(w1)}  ${'unit'.padEnd(w2)}  note`);
    console.log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ----`);
    for (const [name, value, unit, note] of cells)
      console.log(`${name!.padEnd(w0)}  ${value!.padStart(w1)}  ${unit!.padEnd(w2)}  ${note}`.trimEnd());
  }
  if (result.error) console.log(`\nerror: ${result.error}`);
}

async function main(): Promise<void> {
  const benches = findBenches(process.argv.slice(2));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (running) killGroup(running, 'SIGKILL');
      process.exit(130);
    });
  }
  const startedAt = new Date().toISOString();
  const results: BenchResult[] = [];
  for (const bench of benches) {
    console.log(`\n▶ ${bench.name}`);
    const result = await runBench(bench);
    printTable(result);
    results.push(result);
  }

  const failed = results.filter((r) => r.status === 'failed');
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
  };
  fs.writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify({ startedAt, finishedAt: new Date().toISOString(), machine, benches: results }, null, 2)}\n`,
  );
  console.log(`\n${results.length - failed.length}/${results.length} benches ok; rows written to ${RESULTS_FILE}`);
  if (failed.length > 0) {
    console.log(`failed: ${failed.map((f) => f.name).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
