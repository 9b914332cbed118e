import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../../store/webhooks.ts';

/** The endpoint as the API shows it: never its secret, which only the creating call answers. */
export function toWebhookObject(endpoint: WebhookEndpointRecord) {
  return {
    _id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    status: endpoint.status,
    statusReason: endpoint.statusReason,
    userId: endpoint.userId,
    organizationId: endpoint.organizationId,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

/** One entry of an endpoint's delivery log. */
export function toDeliveryObject(delivery: WebhookDeliveryRecord) {
  return {
    id: delivery.id,
    event: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt,
    createdAt: delivery.createdAt,
    updatedAt: delivery.updatedAt,
    deliveredAt: delivery.deliveredAt,
    payload: JSON.parse(delivery.payload) as Record<string, unknown>,
  };
}
