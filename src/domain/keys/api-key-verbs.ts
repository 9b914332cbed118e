import { apiKeyStore, type ApiKeyRecord } from '../../store/api-keys.ts';
import { requireScope, type Ctx, type Scope } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { KEY_ID_PATTERN } from '../ids.ts';
import { issueApiKey, toApiKeyObject } from './issue-api-key.ts';

/**
 * Keys managed over the API (scope keys:admin). An admin key acts within its organization: it may
 * make keys for any user of that organization; an admin key without an organization, only for its
 * own user. It can never make a key for another organization.
 */
function manages(ctx: Ctx, key: Pick<ApiKeyRecord, 'userId' | 'organizationId'>): boolean {
  const { userId, organizationId } = ctx.actor;
  return organizationId !== null ? key.organizationId === organizationId : key.userId === userId && key.organizationId === null;
}

export interface CreateApiKeyInput {
  userId?: string;
  scopes: Scope[];
  name?: string;
  expiresInDays?: number;
}

export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput) {
  requireScope(ctx, 'keys:admin');
  const target = { userId: input.userId?.trim() || ctx.actor.userId, organizationId: ctx.actor.organizationId };
  if (!manages(ctx, target)) throw ERRORS.forbidden('organization\'s keys; an admin key without an organization');
  return issueApiKey(ctx.services.store, {
    ...target,
    scopes: input.scopes,
    name: input.name?.trim() || null,
    expiresInDays: input.expiresInDays ?? null,
  });
}

export async function listApiKeys(ctx: Ctx) {
  requireScope(ctx, 'keys:admin');
  const keys = await apiKeyStore(ctx.services.store.db).list(ctx.actor.organizationId === null ? ctx.actor.userId : undefined);
  return { keys: keys.filter((k) => manages(ctx, k)).map(toApiKeyObject) };
}

export async function revokeApiKey(ctx: Ctx, id: string) {
  requireScope(ctx, 'keys:admin');
  const store = apiKeyStore(ctx.services.store.db);
  const key = KEY_ID_PATTERN.test(id) ? await store.findById(id) : null;
  if (!key || !manages(ctx, key)) throw ERRORS.notFound('API key', id);
  await store.revoke(id, new Date().toISOString());
  return toApiKeyObject((await store.findById(id))!);
}

export function whoami(ctx: Ctx) {
  const { keyId, userId, organizationId, scopes } = ctx.actor;
  return { keyId, userId, organizationId, scopes };
}
