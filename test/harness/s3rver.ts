import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running s3rver: a real S3-compatible server (npm `s3rver`) in a child process on 127.0.0.1. */
export interface S3rverInstance {
  endpoint: string;
  bucket: string;
  /** s3rver's built-in account. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Kills the server process (the files stay until `remove`). */
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

const PROCESS_SCRIPT = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

export async function startS3rver(bucket = 'avatars-test'): Promise<S3rverInstance> {
  const directory = await fsp.mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', PROCESS_SCRIPT, directory, bucket], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! });
  const firstLine = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(([code]) => {
      throw new Error(`s3rver exited with code ${code} before listening`);
    }),
  ]);
  lines.close();
  const { port } = JSON.parse(firstLine) as { port: number };

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    stop,
    async remove() {
      await stop();
      await fsp.rm(directory, { recursive: true, force: true });
    },
  };
}
