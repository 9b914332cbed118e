import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';

/**
 * Liveness and readiness; no key needed. Metrics: plugins/metrics.ts. Ready means the database answers (503 when it
 * does not); a missing part of Tier 2/3 rendering (ffmpeg, the renderer's start) leaves the API ready, since Tier 1
 * renders in the browser: 200 with status `degraded` and the check's reason.
 */
export function healthRoutes(app: FastifyInstance, services: Services) {
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async () => {
    if (!(await services.store.ping())) throw ERRORS.databaseUnavailable();
    const checks = { database: { ok: true }, ...services.renderingParts?.checks() };
    const degraded = Object.values(checks).some((check) => check.ok === false);
    return { status: degraded ? 'degraded' : 'ready', database: services.store.dialect, checks };
  });
}
