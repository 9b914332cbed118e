import { requireScope, type Ctx, type Scope } from '../context.ts';
import { ERRORS } from '../errors.ts';
import { KEY_ID_PATTERN } from '../ids.ts';
import { isTimeIdKey, nextCursor, type PageInput, readPage, timeIdAfter } from '../list-page.ts';
import { issueApiKey, toApiKeyObject } from './issue-api-key.ts';
import { sees } from '../tenant.ts';

/**
 * Keys managed over the API (scope keys:admin) follow the tenancy rule: an admin key manages the keys of its
 * organization; one without an organization, only its own user's orgless keys. It never makes a key for another
 * organization, nor one with a scope it does not hold (a key cannot raise its own powers by minting another).
 */
export interface CreateApiKeyInput {
  userId?: string;
  scopes: Scope[];
  name?: string;
  expiresInDays?: number;
}

export async function createApiKey(ctx: Ctx, input: CreateApiKeyInput) {
  requireScope(ctx, 'keys:admin');
  const target = { userId: input.userId?.trim() || ctx.actor.userId, organizationId: ctx.actor.organizationId };
  if (!sees(ctx.actor, target)) throw ERRORS.keyForAnotherUser();
  const missing = input.scopes.filter((scope) => !ctx.actor.scopes.includes(scope));
  if (missing.length > 0) throw ERRORS.scopesNotHeld(missing);
  return issueApiKey(ctx.services.store, {
    ...target,
    scopes: input.scopes,
    name: input.name?.trim() || null,
    expiresInDays: input.expiresInDays ?? null,
  });
}

export const KEYS_DEFAULT_LIMIT = 50;
export const KEYS_MAX_LIMIT = 200;

/** The keys the caller's admin key manages, newest first, paged by (createdAt, id) as every list is (list-page.ts). */
export async function listApiKeys(ctx: Ctx, input: PageInput) {
  requireScope(ctx, 'keys:admin');
  const page = readPage(input, { defaultLimit: KEYS_DEFAULT_LIMIT, maxLimit: KEYS_MAX_LIMIT }, isTimeIdKey);
  const { keys, count, last } = await ctx.services.store.apiKeys.listOfTenant(ctx.actor, {
    limit: page.limit,
    offset: page.offset,
    after: timeIdAfter(page.after),
  });
  return { keys: keys.map(toApiKeyObject), count, nextCursor: nextCursor(last === null ? null : [last.createdAt, last.id]) };
}

export async function revokeApiKey(ctx: Ctx, id: string) {
  requireScope(ctx, 'keys:admin');
  const store = ctx.services.store.apiKeys;
  const key = KEY_ID_PATTERN.test(id) ? await store.findById(id) : null;
  if (!key || !sees(ctx.actor, key)) throw ERRORS.notFound('API key', id);
  await store.revoke(id, new Date().toISOString());
  return toApiKeyObject((await store.findById(id))!);
}

export function whoami(ctx: Ctx) {
  const { keyId, userId, organizationId, scopes } = ctx.actor;
  return { keyId, userId, organizationId, scopes };
}
