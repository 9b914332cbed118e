import { requireScope, type Ctx } from '../context.ts';
import { toWebhookObject } from './webhook-object.ts';

/** The caller's organization's endpoints (an orgless caller's own), newest first, without secrets. */
export async function listWebhooks(ctx: Ctx, page: { limit: number; offset: number }) {
  requireScope(ctx, 'webhooks:admin');
  // Bounded by WEBHOOK_MAX_ENDPOINTS per owner, so the page is cut here rather than in SQL.
  const all = await ctx.services.store.webhooks.listEndpoints(ctx.actor);
  return { webhooks: all.slice(page.offset, page.offset + page.limit).map(toWebhookObject), count: all.length };
}
