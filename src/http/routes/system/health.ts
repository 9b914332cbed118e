import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';

/** Liveness and readiness (the database answers); no key needed. Metrics: plugins/metrics.ts. */
export function healthRoutes(app: FastifyInstance, services: Services) {
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async () => {
    if (!(await services.store.ping())) throw ERRORS.databaseUnavailable();
    return { status: 'ready', database: services.store.dialect };
  });
}
