import { timingSafeEqual } from 'node:crypto';
import type { LiveSessionRecord } from '../../store/live-sessions.ts';
import type { Services } from '../context.ts';
import { ApiError, ERRORS } from '../errors.ts';
import { hashSecret } from '../keys/issue-api-key.ts';
import { SESSION_ID } from './live-session-access.ts';

/**
 * Where a live-session token leads: the rendering container that holds the session, and what the
 * token may do there (`agent`: speak and watch; `viewer`: only watch). A missing, wrong or expired
 * token, or a token of another session, is one and the same 401.
 */
export async function openLiveSession(services: Services, sessionId: string, token: string | undefined) {
  const { session, role } = await sessionOfToken(services, sessionId, token);
  if (Date.parse(session.expiresAt) <= Date.now() || session.endedAt) throw refused();
  const deployment = await services.store.deployments.find(session.avatarId);
  if (deployment?.state !== 'running' || !deployment.endpoint) throw ERRORS.rendererUnavailable();
  await services.store.deployments.touch(session.avatarId, new Date().toISOString());
  return { session, role, endpoint: deployment.endpoint };
}

/**
 * The session a token belongs to, live or ended, while its record is kept, and the token's role; for a missing or
 * wrong token, a token of another session or no such session, the same 401 (a session's existence is not told).
 */
export async function sessionOfToken(
  services: Services,
  sessionId: string,
  token: string | undefined,
): Promise<{ session: LiveSessionRecord; role: 'agent' | 'viewer' }> {
  if (!token || !SESSION_ID.test(sessionId) || token.length > 200) throw refused();
  const session = await services.store.liveSessions.find(sessionId);
  const hash = hashSecret(token);
  const role = !session ? null : sameHash(session.tokenHash, hash) ? 'agent' : sameHash(session.viewerTokenHash, hash) ? 'viewer' : null;
  if (!session || !role) throw refused();
  return { session, role };
}

const refused = () => new ApiError(401, 'unauthorized', 'The session token is missing, wrong or expired.');

function sameHash(stored: string | null, given: string): boolean {
  return stored !== null && stored.length === given.length && timingSafeEqual(Buffer.from(stored), Buffer.from(given));
}
