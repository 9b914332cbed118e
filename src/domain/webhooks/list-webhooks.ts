import { requireScope, type Ctx } from '../context.ts';
import { isTimeIdKey, nextCursor, type PageInput, readPage, timeIdAfter } from '../list-page.ts';
import { toWebhookObject } from './webhook-object.ts';

export const WEBHOOKS_DEFAULT_LIMIT = 50;
export const WEBHOOKS_MAX_LIMIT = 200;

/** Newest first, ties by id, compared here as the cursor compares them (not by the database's collation). */
const newestFirst = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/** The caller's organization's endpoints (an orgless caller's own), newest first, without secrets. */
export async function listWebhooks(ctx: Ctx, input: PageInput) {
  requireScope(ctx, 'webhooks:admin');
  const page = readPage(input, { defaultLimit: WEBHOOKS_DEFAULT_LIMIT, maxLimit: WEBHOOKS_MAX_LIMIT }, isTimeIdKey);
  // Bounded by WEBHOOK_MAX_ENDPOINTS per owner, so the page is cut here rather than in SQL.
  const all = (await ctx.services.store.webhooks.listEndpoints(ctx.actor)).sort(newestFirst);
  const after = timeIdAfter(page.after);
  const from = after === null ? page.offset : all.filter((endpoint) => newestFirst(endpoint, after) <= 0).length;
  const shown = all.slice(from, from + page.limit);
  const last = shown[shown.length - 1];
  return {
    webhooks: shown.map(toWebhookObject),
    count: all.length,
    nextCursor: nextCursor(from + page.limit < all.length && last ? [last.createdAt, last.id] : null),
  };
}
