import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { nextCursor, type PageInput, readPage, type SortKey } from '../list-page.ts';
import { observeSession, sessionObject } from './session-state.ts';

export const SESSIONS_DEFAULT_LIMIT = 20;
export const SESSIONS_MAX_LIMIT = 100;

/** A session's place in the list: (createdAt, id), as the cursor carries it. */
const isSessionKey = (key: SortKey): key is readonly [string, string] =>
  key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string';

/** An avatar's live sessions, newest first (kept a day past their expiry), each as GET /sessions/:id shows it. */
export async function listLiveSessions(ctx: Ctx, avatarId: string, input: PageInput) {
  requireScope(ctx, 'avatars:read');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  const page = readPage(input, { defaultLimit: SESSIONS_DEFAULT_LIMIT, maxLimit: SESSIONS_MAX_LIMIT }, isSessionKey);
  const { sessions, count, last } = await ctx.services.store.liveSessions.listForAvatar(avatar.id, {
    limit: page.limit,
    offset: page.offset,
    after: page.after === null ? null : { createdAt: page.after[0], id: page.after[1] },
  });
  // Only sessions the API thinks live need their container asked, and an avatar holds a handful at most at once.
  const observed = await Promise.all(sessions.map((session) => observeSession(ctx.services, session)));
  return { sessions: observed.map(sessionObject), count, nextCursor: nextCursor(last === null ? null : [last.createdAt, last.id]) };
}
