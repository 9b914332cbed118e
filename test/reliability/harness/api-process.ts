// The API server as a user runs it (`node bin/avatars.js serve`), in its own process, so it can be SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../../harness/free-port.ts';
import path from 'node:path';
import { ROOT_DIR } from '../../fixtures.ts';

export interface ApiProcess {
  url: string;
  pid: number;
  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
  /** Resident memory of the process now, bytes (from /proc). */
  rssBytes(): Promise<number>;
  /** The end of its stderr, and how it exited if it did: for reports when it died on its own. */
  describe(): string;
  /** Its log lines on stdout (JSON, at the LOG_LEVEL given; the last 256 KiB), parsed. */
  logLines(): Record<string, unknown>[];
}

/** Starts `avatars serve` on 127.0.0.1 with `env` on top of quiet test defaults; resolves once /healthz answers. */
export async function startApiProcess(env: Record<string, string>, port?: number): Promise<ApiProcess> {
  const chosen = port ?? (await freePort());
  const url = `http://127.0.0.1:${chosen}`;
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'avatars.js'), 'serve'], {
    cwd: ROOT_DIR,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(chosen),
      PUBLIC_URL: url,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '0',
      RENDERERS_STOP_WITH_API: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString()).slice(-256 * 1024);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the API exited before listening: ${stderr}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API did not listen within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    url,
    pid: child.pid!,
    async kill() {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    describe() {
      const how =
        child.exitCode !== null
          ? `exited with code ${child.exitCode}`
          : child.signalCode
            ? `was killed (${child.signalCode})`
            : 'is running';
      return `the API process ${how}; its stderr ends: ${stderr.slice(-1500)}`;
    },
    logLines() {
      // The first line may be cut by the window: whatever does not parse is left out.
      return stdout.split('\n').flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
    },
    async rssBytes() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
    },
  };
}
