import { Worker } from 'node:worker_threads';

export interface ValidatorMessage {
  code: string;
  message: string;
  severity: number; // 0 error, 1 warning, 2 information, 3 hint
  pointer?: string;
  offset?: number;
}

export interface ValidatorIssues {
  numErrors: number;
  numWarnings: number;
  messages: ValidatorMessage[];
}

export interface ValidatorOptions {
  format: 'glb';
  maxIssues: number;
  writeTimestamp: boolean;
  ignoredIssues: string[];
  severityOverrides: Record<string, number>;
}

/** The validator gave up on the file, or died on it: the file is what is wrong. */
export class ValidatorFailed extends Error {}

/** Far beyond the ~10 ms a model takes; a hung validator is stopped and the file refused. */
export const VALIDATOR_TIMEOUT_MS = 30_000;

interface Job {
  bytes: Uint8Array;
  options: ValidatorOptions;
  resolve: (issues: ValidatorIssues) => void;
  reject: (error: Error) => void;
}

const queue: Job[] = [];
let worker: Worker | null = null;
let running: (Job & { id: number; thread: Worker; timer: NodeJS.Timeout }) | null = null;
let nextId = 1;

/**
 * Validates one GLB in the validator's worker thread. Jobs run one at a time, so a crash is blamed on the file
 * that caused it and on no other upload.
 */
export function runKhronosValidator(bytes: Uint8Array, options: ValidatorOptions): Promise<ValidatorIssues> {
  return new Promise((resolve, reject) => {
    queue.push({ bytes, options, resolve, reject });
    startNext();
  });
}

function startNext(): void {
  if (running || queue.length === 0) return;
  const job = queue.shift()!;
  const id = nextId++;
  const thread = validatorWorker();
  const timer = setTimeout(() => {
    settle(thread, (failed) => failed.reject(new ValidatorFailed(`it took longer than ${VALIDATOR_TIMEOUT_MS / 1000} s`)));
    stopWorker(thread);
  }, VALIDATOR_TIMEOUT_MS);
  running = { ...job, id, thread, timer };
  thread.ref(); // keep the process alive while an answer is awaited
  // A compact copy, moved rather than cloned: the caller's bytes may be a view into a much larger buffer.
  const bytes = new Uint8Array(job.bytes);
  thread.postMessage({ id, bytes, options: job.options }, [bytes.buffer]);
}

function validatorWorker(): Worker {
  if (worker) return worker;
  const thread = new Worker(new URL('./khronos-validator-worker.mjs', import.meta.url));
  let ready = false;
  thread.on('message', (reply: { ready?: true; id?: number; issues?: ValidatorIssues; failure?: string }) => {
    if (reply.ready) {
      ready = true;
      return;
    }
    if (running?.id !== reply.id) return;
    settle(thread, (job) => (reply.issues ? job.resolve(reply.issues) : job.reject(new ValidatorFailed(reply.failure ?? 'no report'))));
  });
  const died = (reason: string) => {
    stopWorker(thread);
    // Before it is ready the validator itself is broken (not installed, say): that is no fault of the file.
    settle(thread, (job) => job.reject(ready ? new ValidatorFailed(reason) : new Error(`The glTF validator could not start: ${reason}`)));
  };
  thread.on('error', (error) => died(error.message));
  thread.on('exit', () => died('the validator stopped'));
  worker = thread;
  return thread;
}

/** Settles the job running on `thread`, if it is still the running one, and starts the next. */
function settle(thread: Worker, outcome: (job: Job) => void): void {
  const job = running;
  if (!job || job.thread !== thread) return;
  clearTimeout(job.timer);
  running = null;
  thread.unref(); // an idle validator must not keep the process alive
  outcome(job);
  startNext();
}

function stopWorker(thread: Worker): void {
  if (worker === thread) worker = null;
  void thread.terminate();
}
