import type { LiveSessionRecord } from '../../store/live-sessions.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import type { Ctx } from '../context.ts';
import { ApiError, ERRORS } from '../errors.ts';

export const SESSION_ID = /^ses_[0-9A-Za-z]{20}$/;

/** The session if the caller may see its avatar; 404 otherwise, the same answer whether or not it exists. */
export async function findVisibleSession(ctx: Ctx, id: string): Promise<LiveSessionRecord> {
  const missing = ERRORS.notFound('live session', id);
  if (!SESSION_ID.test(id)) throw missing;
  const session = await ctx.services.store.liveSessions.find(id);
  if (!session) throw missing;
  try {
    await findVisibleAvatar(ctx, session.avatarId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw missing;
    throw error;
  }
  return session;
}
