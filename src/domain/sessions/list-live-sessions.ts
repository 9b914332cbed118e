import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { isTimeIdKey, nextCursor, type PageInput, readPage, timeIdAfter } from '../list-page.ts';
import { observeSession, sessionObject } from './session-state.ts';

export const SESSIONS_DEFAULT_LIMIT = 20;
export const SESSIONS_MAX_LIMIT = 100;

/** An avatar's live sessions, newest first (kept a day past their expiry), each as GET /sessions/:id shows it. */
export async function listLiveSessions(ctx: Ctx, avatarId: string, input: PageInput) {
  requireScope(ctx, 'avatars:read');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  const page = readPage(input, { defaultLimit: SESSIONS_DEFAULT_LIMIT, maxLimit: SESSIONS_MAX_LIMIT }, isTimeIdKey);
  const { sessions, count, last } = await ctx.services.store.liveSessions.listForAvatar(avatar.id, {
    limit: page.limit,
    offset: page.offset,
    after: timeIdAfter(page.after),
  });
  // Only sessions the API thinks live need their container asked, and an avatar holds a handful at most at once.
  const observed = await Promise.all(sessions.map((session) => observeSession(ctx.services, session)));
  return { sessions: observed.map(sessionObject), count, nextCursor: nextCursor(last === null ? null : [last.createdAt, last.id]) };
}
