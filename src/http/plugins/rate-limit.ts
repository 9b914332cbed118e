import { createRequire } from 'node:module';
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
    store: CountAtIncrementStore,
    keyGenerator: (request) => request.actor?.keyId ?? request.ip,
    errorResponseBuilder: (_request, context) => ERRORS.rateLimited(Math.max(1, Math.ceil(context.ttl / 1000))),
    addHeadersOnExceeding: { 'x-ratelimit-limit': true, 'x-ratelimit-remaining': true, 'x-ratelimit-reset': true },
  });
}

/** A key's count in its window, as the plugin's stores answer it. */
export interface WindowCount {
  current: number;
  ttl: number;
  iterationStartMs: number;
}

interface RateStore {
  incr(key: string, answer: (error: Error | null, count?: WindowCount) => void, timeWindow?: number, max?: number): void;
  child(options: object): RateStore;
}

type LocalStoreClass = new (continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number) => RateStore;
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as LocalStoreClass;

/**
 * The plugin's in-memory store, answering each request the count as its own increment left it. The plugin's store
 * answers the key's live counter, which the plugin reads a microtask later: requests whose keys were read together
 * (one shared query on PostgreSQL) reach the limiter in one burst and read each other's increments, so a few requests
 * under the limit were refused.
 */
export class CountAtIncrementStore implements RateStore {
  private readonly inner: RateStore;

  constructor(options: { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number }, inner?: RateStore) {
    this.inner = inner ?? new LocalStore(options.continueExceeding, options.exponentialBackoff, options.cache);
  }

  // The plugin passes the window and the limit too (its type leaves them out).
  incr(key: string, answer: (error: Error | null, count?: WindowCount) => void, timeWindow?: number, max?: number): void {
    this.inner.incr(key, (error, count) => answer(error, count && { ...count }), timeWindow, max);
  }

  child(options: object): RateStore {
    return new CountAtIncrementStore(options, this.inner.child(options));
  }
}
