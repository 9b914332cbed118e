import { requireScope, type Ctx } from '../context.ts';
import { nextCursor, type PageInput, readPage, type SortKey } from '../list-page.ts';
import { toWebhookObject } from './webhook-object.ts';

export const WEBHOOKS_DEFAULT_LIMIT = 50;
export const WEBHOOKS_MAX_LIMIT = 200;

/** An endpoint's place in the list: (createdAt, id), as the cursor carries it. */
const isEndpointKey = (key: SortKey): key is readonly [string, string] =>
  key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string';

/** Newest first, ties by id, compared here as the cursor compares them (not by the database's collation). */
const newestFirst = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/** The caller's organization's endpoints (an orgless caller's own), newest first, without secrets. */
export async function listWebhooks(ctx: Ctx, input: PageInput) {
  requireScope(ctx, 'webhooks:admin');
  const page = readPage(input, { defaultLimit: WEBHOOKS_DEFAULT_LIMIT, maxLimit: WEBHOOKS_MAX_LIMIT }, isEndpointKey);
  // Bounded by WEBHOOK_MAX_ENDPOINTS per owner, so the page is cut here rather than in SQL.
  const all = (await ctx.services.store.webhooks.listEndpoints(ctx.actor)).sort(newestFirst);
  const after = page.after === null ? null : { createdAt: page.after[0], id: page.after[1] };
  const from = after === null ? page.offset : all.filter((endpoint) => newestFirst(endpoint, after) <= 0).length;
  const shown = all.slice(from, from + page.limit);
  const last = shown[shown.length - 1];
  return {
    webhooks: shown.map(toWebhookObject),
    count: all.length,
    nextCursor: nextCursor(from + page.limit < all.length && last ? [last.createdAt, last.id] : null),
  };
}
