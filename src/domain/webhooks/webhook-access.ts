import type { Ctx } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { sees } from '../tenant.ts';
import type { WebhookEndpointRecord } from '../../store/webhooks.ts';

export const WEBHOOK_ID_PATTERN = /^whk_[0-9A-Za-z]{16,64}$/;

/** The caller's organization's endpoint (or an orgless caller's own); anyone else's answers the 404 of a missing one. */
export async function visibleWebhook(ctx: Ctx, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = WEBHOOK_ID_PATTERN.test(id) ? await ctx.services.store.webhooks.findEndpoint(id) : null;
  if (!endpoint || !sees(ctx.actor, endpoint)) throw ERRORS.notFound('webhook', id);
  return endpoint;
}
