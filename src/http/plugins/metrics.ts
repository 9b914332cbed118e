import Fastify, { type FastifyInstance } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../../config.ts';
import { ERRORS } from '../../domain/errors.ts';
import { registerErrorHandling } from './error-handler.ts';

/** Prometheus metrics: request counts and latency by route and status, plus the process's own. */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // A callback hook: an async one costs a promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so ids do not explode the label set.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  return registry;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** `GET /metrics`, behind `Authorization: Bearer <token>` when a token is set. */
function metricsRoute(app: FastifyInstance, registry: Registry, token: string | null): void {
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  const expected = token === null ? null : digest(token);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (expected) {
      const sent = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (!sent || !timingSafeEqual(digest(sent), expected)) throw ERRORS.metricsTokenRequired();
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

/**
 * Where metrics are served (config.metrics): on a listener of their own, started now and closed with the
 * app; on the API's port behind a token; or nowhere, the default, so nothing leaks on a public interface.
 */
export async function exposeMetrics(app: FastifyInstance, registry: Registry, settings: Config['metrics']): Promise<void> {
  if (settings.port === null) {
    if (settings.token !== null) metricsRoute(app, registry, settings.token);
    return;
  }
  const side = Fastify({ logger: false });
  registerErrorHandling(side, 1024);
  metricsRoute(side, registry, settings.token);
  await side.listen({ port: settings.port, host: settings.host });
  app.addHook('onClose', async () => {
    await side.close();
  });
}
