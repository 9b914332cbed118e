import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Orchestrator, RendererSpec, RendererStatus } from '../orchestrator.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { rendererEnvironment } from '../renderer-environment.ts';
import { CHECK_PARTS_ARG, type PartCheck, type PartsLine, type RenderingPart } from '../../../contract/rendering-parts.ts';

const RENDERER_MAIN = fileURLToPath(new URL('../../../renderer/main.ts', import.meta.url));
/** How long the renderer's parts check may take (it loads the renderer's code, on a machine that may be busy). */
const CHECK_PARTS_TIMEOUT_MS = 60_000;

/** What is remembered of a running renderer on disk, so a restarted API can adopt it. */
interface ProcessRecord {
  avatarId: string;
  pid: number;
  port: number | null;
  startedAt: string;
  /**
   * The deployment's secret, so the health probes of an API started again carry it too (the renderer counts them as
   * its API's calls: RENDERER_ORPHAN_SECONDS). The file is the API user's only, as the database beside it.
   */
  secret?: string;
}

export interface LocalOrchestratorOptions {
  /** Where process records live (`<DATA_DIR>/renderers`). */
  stateDir: string;
  /** Stop every renderer when the orchestrator closes (tests); by default they outlive an API restart. */
  stopOnClose?: boolean;
  /** How long to wait for a renderer to report its port. */
  startTimeoutMs?: number;
  /** A renderer alive but not healthy for longer than this is hung, and is replaced (RENDERER_START_TIMEOUT_MS). */
  stuckAfterMs?: number;
  /** A renderer no API has called for this long stops itself (RENDERER_ORPHAN_SECONDS); 0: never. */
  orphanSeconds?: number;
}

/** `renderer/main.ts` (with `args`) as a child of this process, with `env` on top of PATH and HOME. */
function runRendererProgram(env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', RENDERER_MAIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.dirname(path.dirname(RENDERER_MAIN)),
  });
}

/** The sentence of the renderer's `{"event":"fatal","message":...}` line on stderr, or ''. */
function fatalMessage(stderr: string): string {
  return /"message":"([^"]+)"/.exec(stderr)?.[1] ?? '';
}

/** Runs the renderer's `--check-parts` (contract/rendering-parts.ts): that it starts at all, and what it misses. */
async function checkRendererParts(started: (child: ChildProcess) => void): Promise<Record<RenderingPart, PartCheck>> {
  const child = runRendererProgram({}, [CHECK_PARTS_ARG]);
  started(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-10_000)));
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHECK_PARTS_TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => {
    child.once('error', () => resolve([null, null]));
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  }).finally(() => clearTimeout(timer));
  const line = stdout.split('\n').find((l) => l.startsWith('{"event":"parts"'));
  if (code === 0 && line) return { renderer: { ok: true }, ...(JSON.parse(line) as PartsLine).parts };
  const how = signal === 'SIGKILL' ? `did not finish within ${CHECK_PARTS_TIMEOUT_MS / 1000} s` : `exited with code ${code}`;
  const detail = fatalMessage(stderr) || stderr.trim().split('\n').at(-1) || '';
  return {
    renderer: { ok: false, reason: `The rendering container program (renderer/main.ts) ${how}${detail ? `: ${detail}` : ''}.` },
    ffmpeg: { ok: false, reason: 'Not checked: the rendering container program could not start.' },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Rendering containers as child processes on loopback ports: the embedded default. Each one is
 * `renderer/main.ts` with its avatar's settings in the environment, bound to 127.0.0.1.
 */
export function createLocalOrchestrator(options: LocalOrchestratorOptions): Orchestrator {
  const { stateDir } = options;
  const recordFile = (avatarId: string) => path.join(stateDir, `${avatarId}.json`);
  /** Why a process we started ended, to tell the user. */
  const exits = new Map<string, { code: number | null; signal: string | null; stderr: string }>();
  const starting = new Map<string, Promise<RendererStatus>>();
  /** A parts check still running, stopped when the orchestrator closes. */
  let checking: ChildProcess | null = null;

  async function writeRecord(record: ProcessRecord): Promise<void> {
    await fs.writeFile(recordFile(record.avatarId), JSON.stringify(record), { mode: 0o600 });
  }

  async function readRecord(avatarId: string): Promise<ProcessRecord | null> {
    try {
      return JSON.parse(await fs.readFile(recordFile(avatarId), 'utf8')) as ProcessRecord;
    } catch {
      return null;
    }
  }

  async function statusOf(record: ProcessRecord): Promise<RendererStatus> {
    const base = { avatarId: record.avatarId, restarts: 0 };
    if (!alive(record.pid)) {
      const exit = exits.get(record.avatarId);
      const how = exit ? (exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`) : 'is no longer running';
      const detail = exit?.stderr ? `: ${exit.stderr}` : '';
      return { ...base, phase: 'failed', endpoint: null, lastError: `The rendering container ${how}${detail}.` };
    }
    if (record.port === null) return { ...base, phase: 'starting', endpoint: null, lastError: null };
    const endpoint = `http://127.0.0.1:${record.port}`;
    const healthy = await new RendererClient(endpoint, record.secret).isHealthy();
    return { ...base, phase: healthy ? 'running' : 'starting', endpoint: healthy ? endpoint : null, lastError: null };
  }

  async function start(spec: RendererSpec): Promise<RendererStatus> {
    await fs.mkdir(stateDir, { recursive: true });
    exits.delete(spec.avatarId);
    const child = runRendererProgram(
      Object.fromEntries(
        rendererEnvironment(spec, {
          host: '127.0.0.1',
          port: 0,
          // Live-session video is offered on loopback only: the renderer runs on this machine.
          iceHosts: '127.0.0.1',
          // Renderers that stop with the API also stop if the API dies without stopping them.
          parentPid: options.stopOnClose ? process.pid : undefined,
          // Others outlive the API, to be adopted when it starts again, but not forever.
          orphanSeconds: options.orphanSeconds || undefined,
        }).map(({ name, value }) => [name, value]),
      ),
    );
    const record: ProcessRecord = {
      avatarId: spec.avatarId,
      pid: child.pid!,
      port: null,
      startedAt: new Date().toISOString(),
      secret: spec.secret,
    };
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('exit', (code, signal) => {
      exits.set(spec.avatarId, { code, signal, stderr: fatalMessage(stderr) });
    });
    await writeRecord(record);
    const port = await new Promise<number | null>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(null), options.startTimeoutMs ?? 20_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /\{"event":"listening","port":(\d+)\}/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
          out = '';
        }
        if (out.length > 10_000) out = out.slice(-1000);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    record.port = port;
    await writeRecord(record);
    return statusOf(record);
  }

  async function stop(record: ProcessRecord): Promise<void> {
    if (alive(record.pid)) {
      try {
        process.kill(record.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && alive(record.pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(record.pid)) process.kill(record.pid, 'SIGKILL');
    }
    await fs.rm(recordFile(record.avatarId), { force: true });
  }

  return {
    async apply(spec) {
      const pending = starting.get(spec.avatarId);
      if (pending) return pending;
      const record = await readRecord(spec.avatarId);
      if (spec.replicas === 0) {
        if (record) await stop(record);
        return { avatarId: spec.avatarId, phase: 'stopped', endpoint: null, restarts: 0, lastError: null };
      }
      if (record && alive(record.pid)) return statusOf(record);
      const run = start(spec).finally(() => starting.delete(spec.avatarId));
      starting.set(spec.avatarId, run);
      return run;
    },
    isStuck(status, startingForMs) {
      // Nothing else watches a child process: a renderer that never turns healthy stays hung.
      return status.phase === 'starting' && startingForMs > (options.stuckAfterMs ?? 30_000);
    },
    async status(avatarId) {
      const record = await readRecord(avatarId);
      return record ? statusOf(record) : null;
    },
    async remove(avatarId) {
      const record = await readRecord(avatarId);
      if (record) await stop(record);
      exits.delete(avatarId);
    },
    async list() {
      let names: string[] = [];
      try {
        names = await fs.readdir(stateDir);
      } catch {
        return [];
      }
      const out: RendererStatus[] = [];
      for (const name of names.filter((n) => n.endsWith('.json'))) {
        const record = await readRecord(name.slice(0, -5));
        if (record) out.push(await statusOf(record));
      }
      return out;
    },
    async checkParts() {
      try {
        return await checkRendererParts((child) => (checking = child));
      } finally {
        checking = null;
      }
    },
    async close() {
      checking?.kill('SIGKILL');
      if (!options.stopOnClose) return;
      for (const status of await this.list()) await this.remove(status.avatarId);
    },
  };
}
