import { type Static, Type } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/emit-event.ts';
import { SINGLE_LINE_TEXT } from '../../domain/text-rules.ts';
import { WEBHOOKS_DEFAULT_LIMIT, WEBHOOKS_MAX_LIMIT } from '../../domain/webhooks/list-webhooks.ts';
import { DELIVERIES_DEFAULT_LIMIT, DELIVERIES_MAX_LIMIT } from '../../domain/webhooks/list-webhook-deliveries.ts';
import { pageQuery } from './common-schemas.ts';

export const WebhookEventType = Type.Union(
  WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)),
  { description: 'an event an endpoint can subscribe to' },
);

export const CreateWebhookBody = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: SINGLE_LINE_TEXT,
      description: 'http(s) URL the deliveries are POSTed to; private, loopback and link-local addresses are refused',
    }),
    events: Type.Array(WebhookEventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true }),
    description: Type.Optional(Type.String({ maxLength: 500, pattern: SINGLE_LINE_TEXT })),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

const nullableString = Type.Union([Type.String(), Type.Null()]);
const timestamp = Type.String({ format: 'date-time' });

export const Webhook = Type.Object({
  _id: Type.String({ description: 'whk_…' }),
  url: Type.String(),
  events: Type.Array(WebhookEventType),
  description: nullableString,
  status: Type.Union([Type.Literal('active'), Type.Literal('failing'), Type.Literal('disabled')], {
    description: 'failing: a delivery ran out of retries (a later success makes it active again); disabled: the receiver answered 410',
  }),
  statusReason: nullableString,
  userId: Type.String(),
  organizationId: nullableString,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const CreatedWebhook = Type.Intersect([
  Webhook,
  Type.Object({ secret: Type.String({ description: 'whsec_…: the signing secret, shown only in this answer' }) }),
]);

export const WebhookDelivery = Type.Object({
  id: Type.String({ description: 'msg_…, sent as the webhook-id header on every attempt' }),
  event: WebhookEventType,
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()], {
    description: "the receiver's last HTTP status; null when it never answered",
  }),
  lastError: nullableString,
  nextAttemptAt: Type.Union([timestamp, Type.Null()]),
  createdAt: timestamp,
  updatedAt: timestamp,
  deliveredAt: Type.Union([timestamp, Type.Null()]),
  payload: Type.Object({ type: Type.String(), timestamp, data: Type.Record(Type.String(), Type.Unknown()) }),
});

export const WebhookIdParams = Type.Object({ id: Type.String({ description: 'whk_…' }) });
export type WebhookIdParams = Static<typeof WebhookIdParams>;

export const ListDeliveriesQuery = Type.Object(
  { ...pageQuery({ default: DELIVERIES_DEFAULT_LIMIT, maximum: DELIVERIES_MAX_LIMIT }) },
  { additionalProperties: false },
);
export type ListDeliveriesQuery = Static<typeof ListDeliveriesQuery>;

export const ListWebhooksQuery = Type.Object(
  { ...pageQuery({ default: WEBHOOKS_DEFAULT_LIMIT, maximum: WEBHOOKS_MAX_LIMIT }) },
  { additionalProperties: false },
);
export type ListWebhooksQuery = Static<typeof ListWebhooksQuery>;
