import type { Services } from '../context.ts';
import { randomBase62 } from '../ids.ts';
import type { WebhookDeliveryRecord } from '../../store/webhooks.ts';

/** The events an endpoint can subscribe to (issue 18). */
export const WEBHOOK_EVENT_TYPES = [
  'video.completed',
  'video.failed',
  'avatar.ready',
  'avatar.failed',
  'deployment.running',
  'deployment.failed',
  'session.ended',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Standard Webhooks' message id form; the same id goes with every attempt, so receivers can de-duplicate. */
export const newDeliveryId = () => `msg_${randomBase62(24)}`;

/**
 * Records one delivery of the event per endpoint of its owner (the organization, or an orgless user's own) that
 * subscribes to it, in the database, then wakes the delivery worker. Once this resolves the event is durable: it is
 * delivered at least once even if this process dies now (by another replica's worker, or this one's after a restart).
 * Nothing is recorded when nobody subscribes. An event that announces a change is emitted inside the change's own
 * transaction (with-events.ts), so neither is written without the other.
 */
export async function emitEvent(
  services: Services,
  event: { type: WebhookEventType; organizationId: string | null; userId: string; data: Record<string, unknown> },
): Promise<void> {
  const endpoints = await services.store.webhooks.listDeliverable({ userId: event.userId, organizationId: event.organizationId });
  const subscribed = endpoints.filter((endpoint) => endpoint.events.includes(event.type));
  if (subscribed.length === 0) return;
  const now = new Date().toISOString();
  // One body for every endpoint and every attempt: what was signed once is what a retry sends again.
  const payload = JSON.stringify({ type: event.type, timestamp: now, data: event.data });
  const deliveries: WebhookDeliveryRecord[] = subscribed.map((endpoint) => ({
    id: newDeliveryId(),
    endpointId: endpoint.id,
    eventType: event.type,
    payload,
    status: 'pending',
    attempts: 0,
    lastStatusCode: null,
    lastError: null,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
    deliveredAt: null,
  }));
  await services.store.webhooks.insertDeliveries(deliveries);
  wakeDeliveries(services);
}

/** This process's delivery worker at once, where it has one (without waiting for the control loop's current pass). */
export function wakeDeliveries(services: Services): void {
  if (services.webhookDeliveries) services.webhookDeliveries.wake();
  else services.background.wake();
}
