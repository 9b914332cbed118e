import { requireScope, type Ctx } from '../context.ts';
import { visibleWebhook } from './webhook-access.ts';

/** Removes the endpoint and its delivery log; pending deliveries to it are dropped with it. */
export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  requireScope(ctx, 'webhooks:admin');
  await visibleWebhook(ctx, id);
  await ctx.services.store.webhooks.deleteEndpoint(id);
}
