import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../domain/errors.ts';

/** Per API key, after authentication (so an unknown key cannot use up someone else's budget). */
export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.actor?.keyId ?? request.ip,
    errorResponseBuilder: (_request, context) => ERRORS.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
  });
}
