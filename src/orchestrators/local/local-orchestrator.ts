import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Orchestrator, RendererSpec, RendererStatus } from '../orchestrator.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { rendererEnvironment } from '../renderer-environment.ts';

const RENDERER_MAIN = fileURLToPath(new URL('../../../renderer/main.ts', import.meta.url));

/** What is remembered of a running renderer on disk, so a restarted API can adopt it. */
interface ProcessRecord {
  avatarId: string;
  pid: number;
  port: number | null;
  startedAt: string;
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
    const healthy = await new RendererClient(endpoint).isHealthy();
    return { ...base, phase: healthy ? 'running' : 'starting', endpoint: healthy ? endpoint : null, lastError: null };
  }

  async function start(spec: RendererSpec): Promise<RendererStatus> {
    await fs.mkdir(stateDir, { recursive: true });
    exits.delete(spec.avatarId);
    const child = spawn(process.execPath, ['--import', 'tsx', RENDERER_MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...Object.fromEntries(
          rendererEnvironment(spec, {
            host: '127.0.0.1',
            port: 0,
            // Live-session video is offered on loopback only: the renderer runs on this machine.
            iceHosts: '127.0.0.1',
            // Renderers that stop with the API also stop if the API dies without stopping them.
            parentPid: options.stopOnClose ? process.pid : undefined,
          }).map(({ name, value }) => [name, value]),
        ),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: path.dirname(path.dirname(RENDERER_MAIN)),
    });
    const record: ProcessRecord = { avatarId: spec.avatarId, pid: child.pid!, port: null, startedAt: new Date().toISOString() };
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('exit', (code, signal) => {
      const fatal = /"message":"([^"]+)"/.exec(stderr)?.[1] ?? '';
      exits.set(spec.avatarId, { code, signal, stderr: fatal });
    });
    await fs.writeFile(recordFile(spec.avatarId), JSON.stringify(record));
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
    await fs.writeFile(recordFile(spec.avatarId), JSON.stringify(record));
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
    async close() {
      if (!options.stopOnClose) return;
      for (const status of await this.list()) await this.remove(status.avatarId);
    },
  };
}
