import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer', 'main.ts');

export interface RunningRenderer {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stderr(): string;
  /** Everything it printed on stdout (its JSON event lines). */
  stdout(): string;
  stop(): Promise<number | null>;
}

/** Starts `renderer/main.ts` as the API would, and learns its port from the first JSON line on stdout. */
export function startRenderer(env: Record<string, string>): Promise<RunningRenderer> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (more: Buffer) => (stdout += more.toString()));
      const port = (JSON.parse(line) as { port: number }).port;
      resolve({
        child,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        exited,
        stderr: () => stderr,
        stdout: () => stdout,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    exited.then((code) => reject(new Error(`The renderer exited (${code}) before listening: ${stderr}`)));
  });
}

/** Polls GET /health until it answers 200. */
export async function waitHealthy(baseUrl: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/health`).catch(() => null);
    if (response?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The renderer never became healthy.');
}
