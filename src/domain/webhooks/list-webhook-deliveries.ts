import { requireScope, type Ctx } from '../context.ts';
import { isTimeIdKey, nextCursor, type PageInput, readPage, timeIdAfter } from '../list-page.ts';
import { visibleWebhook } from './webhook-access.ts';
import { toDeliveryObject } from './webhook-object.ts';

export const DELIVERIES_DEFAULT_LIMIT = 50;
export const DELIVERIES_MAX_LIMIT = 200;

/** The endpoint's delivery log, newest first, paged by (createdAt, id): deliveries logged during a walk move none. */
export async function listWebhookDeliveries(ctx: Ctx, id: string, input: PageInput) {
  requireScope(ctx, 'webhooks:admin');
  await visibleWebhook(ctx, id);
  const page = readPage(input, { defaultLimit: DELIVERIES_DEFAULT_LIMIT, maxLimit: DELIVERIES_MAX_LIMIT }, isTimeIdKey);
  const { deliveries, count, last } = await ctx.services.store.webhooks.listDeliveries(
    id,
    page.limit,
    page.offset,
    timeIdAfter(page.after),
  );
  return {
    deliveries: deliveries.map(toDeliveryObject),
    count,
    nextCursor: nextCursor(last === null ? null : [last.createdAt, last.id]),
  };
}
