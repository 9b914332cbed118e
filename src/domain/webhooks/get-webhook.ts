import { requireScope, type Ctx } from '../context.ts';
import { visibleWebhook } from './webhook-access.ts';
import { toWebhookObject } from './webhook-object.ts';

export async function getWebhook(ctx: Ctx, id: string) {
  requireScope(ctx, 'webhooks:admin');
  return toWebhookObject(await visibleWebhook(ctx, id));
}
