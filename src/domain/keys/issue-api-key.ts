import { createHash } from 'node:crypto';
import type { ApiKeyRecord } from '../../store/api-keys.ts';
import type { Store } from '../../store/database.ts';
import type { Scope } from '../context.ts';
import { newKeyId, newKeySecret } from '../ids.ts';

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface IssueApiKeyInput {
  userId: string;
  organizationId: string | null;
  scopes: Scope[];
  name?: string | null;
  expiresInDays?: number | null;
}

/** The key as shown to people: never the secret or its hash. */
export function toApiKeyObject(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    userId: key.userId,
    organizationId: key.organizationId,
    scopes: key.scopes,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
  };
}

/** Makes a key and answers it with its secret, the only time the secret is ever shown. */
export async function issueApiKey(store: Store, input: IssueApiKeyInput) {
  const secret = newKeySecret();
  const now = new Date();
  const record: ApiKeyRecord = {
    id: newKeyId(),
    secretHash: hashSecret(secret),
    prefix: secret.slice(0, 7),
    name: input.name ?? null,
    userId: input.userId,
    organizationId: input.organizationId,
    scopes: [...new Set(input.scopes)],
    createdAt: now.toISOString(),
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() : null,
    revokedAt: null,
  };
  await store.apiKeys.insert(record);
  return { ...toApiKeyObject(record), key: secret };
}
