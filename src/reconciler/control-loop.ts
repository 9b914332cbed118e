import type { FastifyBaseLogger } from 'fastify';
import type { Background } from '../domain/context.ts';

export interface LoopTask {
  name: string;
  /** One pass; the loop runs it again at once while it reports work done (a positive count). */
  runOnce(): Promise<number>;
}

/**
 * Runs the reconciler's tasks on a timer and whenever a verb wakes it: one pass at a time, so a
 * slow pass delays the next instead of overlapping it. A failing task is logged and retried next pass.
 */
export function createControlLoop(
  tasks: LoopTask[],
  log: FastifyBaseLogger,
  intervalMs = 1000,
): Background & {
  start(): void;
  stop(): Promise<void>;
  /** Resolves after a full pass that started after this call (tests wait on it). */
  settle(): Promise<void>;
} {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let passEnded: (() => void)[] = [];

  async function pass(): Promise<void> {
    do {
      again = false;
      for (const task of tasks) {
        if (stopped) return;
        try {
          while ((await task.runOnce()) > 0 && !stopped) {
            /* keep draining */
          }
        } catch (error) {
          log.error({ err: error, task: task.name }, 'reconciler task failed');
        }
      }
      const waiting = passEnded;
      passEnded = [];
      for (const resolve of waiting) resolve();
    } while (again && !stopped);
  }

  function trigger(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void trigger(), intervalMs);
      timer.unref();
      void trigger();
    },
    wake() {
      if (!stopped) void trigger();
    },
    nextPass() {
      return new Promise<void>((resolve) => passEnded.push(resolve));
    },
    async settle() {
      if (running) {
        again = true;
        await running;
      }
      await trigger();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
