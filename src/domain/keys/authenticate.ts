import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import { SCOPES, type Actor, type Scope } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { hashSecret } from './issue-api-key.ts';

/**
 * Resolves an `X-API-Key` secret to the caller. The lookup is by SHA-256 of the secret, so the
 * time it takes does not depend on how much of a guessed secret is right. A key read is reused for
 * KEY_CACHE_MS, so a revocation takes effect within that on every running server (at once on the one
 * that revoked it); expiry is checked against the clock on every call.
 */
export async function authenticate(store: Store, secret: string | undefined): Promise<Actor> {
  if (!secret) throw ERRORS.unauthorized();
  if (secret.length > 200) throw ERRORS.invalidKey();
  const hash = hashSecret(secret);
  const key = await store.apiKeys.findByHashForRequest(hash);
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
