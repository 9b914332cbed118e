import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../domain/context.ts';
import { nextAttemptAt } from '../domain/webhooks/retry-schedule.ts';
import { signWebhook } from '../domain/webhooks/webhook-secret.ts';
import type { WebhookDeliveryRecord } from '../store/webhooks.ts';
import { postWebhook, type AttemptResult } from './post-webhook.ts';

export interface DeliveryWorkerOptions {
  /** The clock that decides what is due and when to retry (tests move it by hand). */
  now?: () => Date;
  /** Jitter's randomness, 0..1. */
  random?: () => number;
}

/**
 * Sends due webhook deliveries: a task of the control loop. Each attempt is claimed with a lease (one conditional
 * update), so two replicas never send one attempt at once; a replica that dies mid-attempt lets go when the lease
 * runs out and another sends it again (at least once: receivers de-duplicate on `webhook-id`). Attempts run beside
 * the loop, at most WEBHOOK_CONCURRENCY at once, so a slow receiver holds up neither the loop nor other endpoints.
 */
export function createWebhookDeliveryWorker(services: Services, log: FastifyBaseLogger, options: DeliveryWorkerOptions = {}) {
  const owner = `wh_${randomBytes(6).toString('hex')}`;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const settings = services.config.webhooks;
  const store = services.store.webhooks;
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  let filling: Promise<number> | null = null;
  let again = false;

  /** Writes what one attempt came to; the lease goes with it. */
  async function conclude(delivery: WebhookDeliveryRecord, result: AttemptResult): Promise<void> {
    const at = now();
    const iso = at.toISOString();
    const attempts = delivery.attempts + 1;
    const status = result.kind === 'answered' ? result.status : null;
    const error = result.kind === 'failed' ? result.error : null;
    const common = { attempts, lastStatusCode: status, lastError: error, updatedAt: iso };
    if (status !== null && status >= 200 && status < 300) {
      await store.finishAttempt(delivery.id, owner, { ...common, status: 'delivered', nextAttemptAt: null, deliveredAt: iso });
      const endpoint = await store.findEndpoint(delivery.endpointId);
      // A failing endpoint that answers again is back in service.
      if (endpoint?.status === 'failing') await store.updateEndpointStatus(endpoint.id, 'active', null, iso);
      return;
    }
    if (status === 410) {
      // Gone: the receiver asks for no more deliveries, ever.
      await store.finishAttempt(delivery.id, owner, { ...common, status: 'failed', nextAttemptAt: null });
      await store.updateEndpointStatus(delivery.endpointId, 'disabled', 'The receiver answered 410 Gone; deliveries stopped.', iso);
      await store.failPending(delivery.endpointId, 'The endpoint was disabled: its receiver answered 410 Gone.', iso);
      return;
    }
    const next = nextAttemptAt(settings.retrySchedule, attempts, at, random);
    if (next) {
      await store.finishAttempt(delivery.id, owner, { ...common, status: 'pending', nextAttemptAt: next.toISOString() });
      return;
    }
    await store.finishAttempt(delivery.id, owner, { ...common, status: 'failed', nextAttemptAt: null });
    const why = status !== null ? `HTTP ${status}` : error;
    await store.updateEndpointStatus(
      delivery.endpointId,
      'failing',
      `A delivery (${delivery.id}) failed every attempt for ${attempts} tries; the last: ${why}.`,
      iso,
    );
  }

  async function attempt(id: string): Promise<void> {
    const delivery = await store.findDelivery(id);
    if (!delivery) return;
    const endpoint = await store.findEndpoint(delivery.endpointId);
    if (!endpoint) return; // deleted, its log with it
    if (endpoint.status === 'disabled') {
      await store.finishAttempt(id, owner, { status: 'failed', nextAttemptAt: null, lastError: 'The endpoint is disabled.' });
      return;
    }
    // The signature's timestamp is the real time: receivers check it against their own clock.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'avatars-webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(endpoint.secret, delivery.id, timestamp, delivery.payload),
    };
    const result = await postWebhook(endpoint.url, headers, delivery.payload, {
      timeoutMs: settings.timeoutMs,
      policy: settings,
      signal: stopping.signal,
    });
    if (stopping.signal.aborted) {
      // Stopped mid-attempt: not counted, and let go at once so the next process (or another replica) sends it again
      // without waiting for the lease to run out. Should that write fail, the lease runs out all the same.
      await store.finishAttempt(id, owner, {}).catch(() => {});
      return;
    }
    if (result.kind === 'failed') log.warn({ deliveryId: id, endpointId: endpoint.id, error: result.error }, 'webhook delivery failed');
    await conclude(delivery, result);
  }

  let prunedAt = Number.NEGATIVE_INFINITY;
  /** At most hourly: the log keeps WEBHOOK_LOG_DAYS of finished deliveries (pending ones stay, whatever their age). */
  async function prune(at: Date): Promise<void> {
    if (at.getTime() - prunedAt < 3600_000) return;
    prunedAt = at.getTime();
    await store.deleteFinishedBefore(new Date(at.getTime() - settings.logDays * 86_400_000).toISOString());
  }

  /** Claims due deliveries while there is room, and starts them. */
  async function fill(): Promise<number> {
    let started = 0;
    await prune(now());
    do {
      again = false;
      const room = settings.perServer - inFlight.size;
      if (room <= 0 || stopping.signal.aborted) break;
      const at = now();
      const iso = at.toISOString();
      // The lease outlasts an attempt and the read of its answer, with room for the writes after it.
      const until = new Date(at.getTime() + 2 * settings.timeoutMs + 30_000).toISOString();
      for (const id of await store.findDue(iso, room)) {
        if (!(await store.claim(id, owner, iso, until))) continue;
        started++;
        const running: Promise<void> = attempt(id)
          .catch((error) => log.error({ err: error, deliveryId: id }, 'webhook delivery could not be recorded'))
          .finally(() => {
            inFlight.delete(running);
            // A freed slot takes the next due delivery at once rather than on the loop's next tick.
            kick();
          });
        inFlight.add(running);
      }
    } while (again);
    return started;
  }

  /** One pass (the control loop's task); answers how many attempts it started. */
  function runOnce(): Promise<number> {
    if (filling) {
      again = true;
      return filling;
    }
    filling = fill().finally(() => {
      filling = null;
    });
    return filling;
  }

  /** A pass outside the loop (a delivery just recorded, a slot just freed); its failure is logged, like the loop's. */
  function kick(): void {
    if (stopping.signal.aborted) return;
    runOnce().catch((error) => log.error({ err: error }, 'webhook deliveries could not be claimed'));
  }

  return {
    owner,
    runOnce,
    kick,
    /** Resolves when no attempt is in flight (those started meanwhile included). */
    async idle(): Promise<void> {
      while (filling || inFlight.size > 0) {
        await filling;
        await Promise.allSettled([...inFlight]);
      }
    },
    /** Stops taking deliveries and abandons the attempts in flight, letting go of them (they are sent again). */
    async stop(): Promise<void> {
      stopping.abort();
      await filling?.catch(() => {});
      await Promise.allSettled([...inFlight]);
    },
  };
}

export type WebhookDeliveryWorker = ReturnType<typeof createWebhookDeliveryWorker>;
