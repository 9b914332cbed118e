import { requireScope, type Ctx } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { randomBase62 } from '../ids.ts';
import type { WebhookEventType } from './emit-event.ts';
import { toWebhookObject } from './webhook-object.ts';
import { newWebhookSecret } from './webhook-secret.ts';
import { webhookUrlProblems } from './webhook-url.ts';

export interface CreateWebhookInput {
  url: string;
  events: WebhookEventType[];
  description?: string;
}

/** A new endpoint of the caller's organization (or an orgless caller's own); its secret is answered this once. */
export async function createWebhook(ctx: Ctx, input: CreateWebhookInput) {
  requireScope(ctx, 'webhooks:admin');
  const { store, config } = ctx.services;
  const url = input.url.trim();
  const problems = webhookUrlProblems(url, config.webhooks);
  if (problems.length > 0) throw ERRORS.validation(problems);
  const owner = { userId: ctx.actor.userId, organizationId: ctx.actor.organizationId };
  if ((await store.webhooks.listEndpoints(owner)).length >= config.webhooks.maxEndpoints) {
    throw ERRORS.conflict(`An organization may have at most ${config.webhooks.maxEndpoints} webhooks; delete one first.`);
  }
  const now = new Date().toISOString();
  const endpoint = {
    id: `whk_${randomBase62(24)}`,
    url,
    description: input.description?.trim() || null,
    events: [...new Set(input.events)],
    secret: newWebhookSecret(),
    status: 'active' as const,
    statusReason: null,
    ...owner,
    createdAt: now,
    updatedAt: now,
  };
  await store.webhooks.insertEndpoint(endpoint);
  return { ...toWebhookObject(endpoint), secret: endpoint.secret };
}
