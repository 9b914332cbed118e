/**
 * The rendering container: `tsx renderer/main.ts`. Configured from the environment (contract/renderer-environment.ts);
 * prints one JSON line {"event":"listening","port":N} on stdout once it accepts connections,
 * then loads the portrait (GET /health answers 503 until it has).
 * `tsx renderer/main.ts --check-parts` loads the same code, prints what the rendering path misses (PartsLine of
 * contract/rendering-parts.ts) and exits 0: the API runs it at start.
 */
import { CHECK_PARTS_ARG, type PartsLine } from '../contract/rendering-parts.ts';
import { readRendererConfig, type RendererConfig } from './config.ts';
import { checkFfmpeg } from './encoder/ffmpeg-part.ts';
import { createPortraitAnimator } from './engine/portrait-animator.ts';
import { createRendererServer, type RendererState } from './http-server.ts';
import { watchForOrphan } from './orphan-watch.ts';
import { loadPortrait } from './portrait-source.ts';

const SHUTDOWN_GRACE_MS = 15_000;

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function fail(message: string): never {
  process.stderr.write(`${JSON.stringify({ event: 'fatal', message })}\n`);
  process.exit(1);
}

// A local renderer outlives the API that started it and reads its output: once that API is gone, a write to the pipe
// fails (EPIPE), which must not end the process (it would, as an uncaught stream error, on its first log line).
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

async function checkParts(): Promise<void> {
  const line: PartsLine = { event: 'parts', parts: { ffmpeg: await checkFfmpeg() } };
  // Exits once the line is out: the modules loaded may hold the event loop open.
  process.stdout.write(`${JSON.stringify(line)}\n`, () => process.exit(0));
}

async function main(): Promise<void> {
  let config: RendererConfig;
  try {
    config = readRendererConfig(process.env);
  } catch (error) {
    fail((error as Error).message);
  }
  const startedAt = Date.now();
  const state: RendererState = { config, animator: null, startedAt, lastContactAt: startedAt };
  const { server, queue, live } = createRendererServer(state);

  let stopping = false;
  const stop = (signal: string, reason?: string) => {
    if (stopping) return;
    stopping = true;
    log({ event: 'stopping', signal, ...(reason ? { reason } : {}) });
    // Stop accepting, let a render in progress finish, then leave.
    server.close();
    server.closeIdleConnections();
    const timer = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
    timer.unref();
    queue.drained().finally(() => {
      server.closeAllConnections();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Started to live and die with its parent (an API that stops its renderers with it): leave when it is gone,
  // even if it was killed without a chance to stop us.
  const parent = config.parentPid;
  if (parent !== null) {
    setInterval(() => {
      try {
        process.kill(parent, 0);
      } catch {
        stop('parent-gone');
      }
    }, 1000).unref();
  }

  // A local renderer left alone by its API (RENDERER_ORPHAN_SECONDS; Kubernetes does not set it) stops itself.
  if (config.orphanAfterMs !== null) {
    watchForOrphan({
      afterMs: config.orphanAfterMs,
      lastContactAt: () => state.lastContactAt,
      busy: () => live.sessions.size > 0,
      orphaned: (reason) => stop('orphaned', reason),
    });
  }

  server.on('error', (error) => fail(`The server could not listen: ${error.message}`));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    log({ event: 'listening', port: typeof address === 'object' && address ? address.port : config.port });
  });
  // Said once at start, for whoever reads this container's log; a preview that needs it answers 503 with the reason.
  void checkFfmpeg().then((ffmpeg) => {
    if (!ffmpeg.ok) process.stderr.write(`${JSON.stringify({ event: 'missing-part', part: 'ffmpeg', reason: ffmpeg.reason })}\n`);
  });

  try {
    const { image, face } = await loadPortrait(config.portraitImage, config.portraitFace);
    state.animator = createPortraitAnimator({ image, face, config: config.render, seed: config.seed });
    log({ event: 'ready', avatarId: config.avatarId, width: state.animator.width, height: state.animator.height });
  } catch (error) {
    fail(`The portrait could not be loaded: ${(error as Error).message}`);
  }
}

void (process.argv.includes(CHECK_PARTS_ARG) ? checkParts() : main());
