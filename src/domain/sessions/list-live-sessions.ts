import { findVisibleAvatar } from '../avatar-access.ts';
import { type Ctx, requireScope } from '../context.ts';
import { observeSession, sessionObject } from './session-state.ts';

/** An avatar's live sessions, newest first (kept a day past their expiry), each as GET /sessions/:id shows it. */
export async function listLiveSessions(ctx: Ctx, avatarId: string, page: { limit: number; offset: number }) {
  requireScope(ctx, 'avatars:read');
  const avatar = await findVisibleAvatar(ctx, avatarId);
  const { sessions, count } = await ctx.services.store.liveSessions.listForAvatar(avatar.id, page.limit, page.offset);
  // Only sessions the API thinks live need their container asked, and an avatar holds a handful at most at once.
  const observed = await Promise.all(sessions.map((session) => observeSession(ctx.services, session)));
  return { sessions: observed.map(sessionObject), count };
}
