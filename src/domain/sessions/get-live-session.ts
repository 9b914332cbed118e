import { type Ctx, requireScope } from '../context.ts';
import { findVisibleSession } from './live-session-access.ts';
import { observeSession, sessionObject } from './session-state.ts';

/** A live session, as its container sees it now: active with live metrics, or ended and why. */
export async function getLiveSession(ctx: Ctx, sessionId: string) {
  requireScope(ctx, 'avatars:read');
  const session = await findVisibleSession(ctx, sessionId);
  return sessionObject(await observeSession(ctx.services, session));
}
