import { requireScope, type Ctx } from '../context.ts';
import { toAvatarSummary } from '../avatar-object.ts';
import { isSeqKey, nextCursor, type PageInput, readPage } from '../list-page.ts';

export interface ListAvatarsInput extends PageInput {
  name?: string;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;

export async function listAvatars(ctx: Ctx, input: ListAvatarsInput) {
  requireScope(ctx, 'avatars:read');
  const page = readPage(input, { defaultLimit: LIST_DEFAULT_LIMIT, maxLimit: LIST_MAX_LIMIT }, isSeqKey);
  const { avatars, count, lastSeq } = await ctx.services.store.avatars.list(ctx.actor, {
    name: input.name,
    limit: page.limit,
    offset: page.offset,
    afterSeq: page.after?.[0] ?? null,
  });
  return { avatars: avatars.map(toAvatarSummary), count, nextCursor: nextCursor(lastSeq === null ? null : [lastSeq]) };
}
