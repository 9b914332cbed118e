import { requireScope, type Ctx } from '../context.ts';
import { visibleWebhook } from './webhook-access.ts';
import { toDeliveryObject } from './webhook-object.ts';

/** The endpoint's delivery log, newest first. */
export async function listWebhookDeliveries(ctx: Ctx, id: string, page: { limit: number; offset: number }) {
  requireScope(ctx, 'webhooks:admin');
  await visibleWebhook(ctx, id);
  const { deliveries, count } = await ctx.services.store.webhooks.listDeliveries(id, page.limit, page.offset);
  return { deliveries: deliveries.map(toDeliveryObject), count };
}
