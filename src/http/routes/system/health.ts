import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';

/** Liveness, readiness (the database answers) and Prometheus metrics; no key needed. */
export function healthRoutes(app: FastifyInstance, services: Services, metrics: Registry) {
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async () => {
    if (!(await services.store.ping())) throw ERRORS.databaseUnavailable();
    return { status: 'ready', database: services.store.dialect };
  });
  app.get('/metrics', hidden, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.metrics()),
  );
}
