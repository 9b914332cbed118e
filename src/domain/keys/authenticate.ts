import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import type { ApiKeyRecord } from '../../store/api-keys.ts';
import type { KeyAndAvatar } from '../../store/key-and-avatar.ts';
import { SCOPES, type Actor, type Scope } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { hashSecret } from './issue-api-key.ts';

/**
 * Resolves an `X-API-Key` secret to the caller. The lookup is by SHA-256 of the secret, so the time it takes does not
 * depend on how much of a guessed secret is right. The key is read on every request, never cached: a revocation holds
 * at once on every running server; expiry is checked against the clock.
 */
export async function authenticate(store: Store, secret: string | undefined): Promise<Actor> {
  const hash = hashOf(secret);
  // The key alone, through the read the requests of one turn share (one query for all on PostgreSQL).
  return actorOf((await store.keyAndAvatar(hash, null)).key, hash);
}

/** The avatar (and deployment) an authenticated get asked for, read with the key: the verb needs no read of its own. */
export interface AvatarReadAhead {
  id: string;
  avatar: KeyAndAvatar['avatar'];
  deployment: KeyAndAvatar['deployment'];
}

/** authenticate, with avatar `avatarId` read in the same round trip (store.keyAndAvatar); nothing of it is shown yet. */
export async function authenticateReadingAvatar(
  store: Store,
  secret: string | undefined,
  avatarId: string,
): Promise<{ actor: Actor; readAhead: AvatarReadAhead }> {
  const hash = hashOf(secret);
  const read = await store.keyAndAvatar(hash, avatarId);
  return { actor: actorOf(read.key, hash), readAhead: { id: avatarId, avatar: read.avatar, deployment: read.deployment } };
}

function hashOf(secret: string | undefined): string {
  if (!secret) throw ERRORS.unauthorized();
  if (secret.length > 200) throw ERRORS.invalidKey();
  return hashSecret(secret);
}

function actorOf(key: ApiKeyRecord | null, hash: string): Actor {
  if (!key || !timingSafeEqual(Buffer.from(key.secretHash), Buffer.from(hash))) throw ERRORS.invalidKey();
  if (key.revokedAt !== null) throw ERRORS.invalidKey();
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= Date.now()) throw ERRORS.invalidKey();
  return {
    keyId: key.id,
    userId: key.userId,
    organizationId: key.organizationId,
    scopes: key.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
  };
}
