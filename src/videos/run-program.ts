import { spawn } from 'node:child_process';

/** What a finished program wrote, and how it ended. */
export interface ProgramResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs a program with `input` on its stdin and collects its stdout (at most `maxStdoutBytes`: past it the program is
 * killed and the result says so with code null). Rejects only when the program cannot start (not installed).
 */
export function runProgram(
  command: string,
  args: string[],
  options: { input?: Buffer | string; maxStdoutBytes?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal, timeout: options.timeoutMs });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let overflowed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (options.maxStdoutBytes !== undefined && size > options.maxStdoutBytes) {
        overflowed = true;
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    // A program that exits before reading all its input closes the pipe: that is its answer, not an error here.
    child.stdin.on('error', () => {});
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: overflowed ? null : code, stdout: Buffer.concat(chunks), stderr }));
    child.stdin.end(options.input ?? '');
  });
}
