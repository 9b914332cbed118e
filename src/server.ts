import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Services } from './domain/context.ts';
import { buildApp, type AppOptions } from './http/app.ts';
import { createBlobStore } from './blobs/create-blob-store.ts';
import { createOrchestrator } from './orchestrators/create-orchestrator.ts';
import { createDeploymentReconciler } from './reconciler/deployment-reconciler.ts';
import { migrate, openStore } from './store/database.ts';
import { createControlLoop } from './reconciler/control-loop.ts';
import { createSessionWatcher } from './reconciler/session-watcher.ts';
import { createWebhookDeliveryWorker } from './webhooks/delivery-worker.ts';
import { createPortraitPreprocessor } from './reconciler/portrait-preprocessor.ts';
import { warmUpFaceModel } from './sources/portrait/index.ts';
import { UploadGate } from './domain/avatars/upload-gate.ts';
import { checkRenderingParts } from './orchestrators/rendering-parts-report.ts';
import { createVideoRunner, type VideoRunner } from './videos/video-runner.ts';
import { closeBrowserVideos } from './videos/browser/render-browser-video.ts';
import { configureHeadlessBrowser } from './videos/browser/headless-browser.ts';

export interface Server {
  app: FastifyInstance;
  services: Services;
  loop: ReturnType<typeof createControlLoop>;
  /** The talking-video renders of this process (tests wait for them). */
  videos: VideoRunner;
  close(): Promise<void>;
}

/** Builds the whole server from its configuration: store (migrated), blobs, HTTP app. */
export async function createServer(config: Config, options: AppOptions = {}): Promise<Server> {
  const store = openStore(config);
  await migrate(store);
  const blobs = createBlobStore(config);
  const orchestrator = createOrchestrator(config);
  // Verbs wake the control loop through `background`; the loop needs the app's logger, so it comes second.
  const services: Services = {
    store,
    blobs,
    config,
    background: { wake() {}, nextPass: () => new Promise(() => {}) },
    uploads: new UploadGate(config.uploads),
  };
  const app = await buildApp(services, options);
  const webhooks = createWebhookDeliveryWorker(services, app.log);
  services.webhookDeliveries = { wake: webhooks.kick };
  // The headless Chromium of stylized_3d videos (its pages at once: VIDEO_BROWSER_PAGES, read by the module).
  configureHeadlessBrowser({ executablePath: config.videos.chromiumPath });
  const videos = createVideoRunner(services, app.log);
  const loop = createControlLoop(
    [
      // First: a pass of the others can take seconds, and deliveries only start here (they run beside the loop).
      { name: 'webhook-deliveries', runOnce: () => webhooks.runOnce() },
      { name: 'portrait-preprocessing', ...createPortraitPreprocessor(services, app.log) },
      { name: 'deployments', ...createDeploymentReconciler(services, orchestrator, app.log) },
      { name: 'videos', runOnce: () => videos.runOnce() },
      createSessionWatcher(services, app.log),
    ],
    app.log,
    config.reconcileIntervalMs,
  );
  services.background = loop;
  loop.start();
  // What Tier 2/3 rendering needs (ffmpeg, the renderer's own start), checked in the background: logged, and in /readyz.
  services.renderingParts = checkRenderingParts(orchestrator, app.log);
  // Load the face model now, in the background, so the first upload does not wait for it.
  warmUpFaceModel().catch((error) => app.log.error({ err: error }, 'the face model could not be loaded'));
  return {
    app,
    services,
    loop,
    videos,
    async close() {
      services.renderingParts?.close();
      // Renders stop first and let go of their jobs, so the next process takes them over at once.
      await videos.stop();
      // The headless Chromium of stylized_3d videos (launched by the first one) goes with them.
      await closeBrowserVideos();
      await webhooks.stop();
      await loop.stop();
      await app.close();
      await orchestrator.close();
      blobs.close?.();
      await store.close();
    },
  };
}

/** `avatars serve`: listen, say how to make the first key, and stop cleanly on SIGTERM/SIGINT. */
export async function serve(config: Config): Promise<Server> {
  const server = await createServer(config);
  const { app, services } = server;
  await app.listen({ port: config.port, host: config.host });
  if ((await services.store.apiKeys.count()) === 0) {
    app.log.warn(
      'No API keys yet. Make the first one with: npx avatars keys create --user <you> --org <your-org> --scopes avatars:read,avatars:write,keys:admin',
    );
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return server;
}
