import { requireScope, type Ctx } from '../context.ts';
import { toAvatarSummary } from '../avatar-object.ts';

export interface ListAvatarsInput {
  name?: string;
  limit?: number;
  offset?: number;
}

export const LIST_DEFAULT_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;

export async function listAvatars(ctx: Ctx, input: ListAvatarsInput) {
  requireScope(ctx, 'avatars:read');
  const { avatars, count } = await ctx.services.store.avatars.list(ctx.actor, {
    name: input.name,
    limit: Math.min(input.limit ?? LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT),
    offset: input.offset ?? 0,
  });
  return { avatars: avatars.map(toAvatarSummary), count };
}
