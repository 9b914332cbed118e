// Every key kind against every endpoint of the OpenAPI document and every tenant's avatar: who may read or write
// what follows the design's access rule exactly, and a hidden avatar answers the very 404 of a missing one.
import fs from 'node:fs';
import type { Scope } from '../../../src/domain/context.ts';
import { VRM_FIXTURES } from '../../fixtures.ts';
import { errorShapeProblems } from './error-shape.ts';

export interface MatrixKey {
  label: string;
  /** null: no X-API-Key header at all. */
  secret: string | null;
  userId: string;
  organizationId: string | null;
  scopes: Scope[];
  /** Revoked or expired: refused whatever it could do. */
  dead?: boolean;
}

export interface MatrixServer {
  url: string;
  makeKey(userId: string, organizationId: string | null, scopes: Scope[]): Promise<{ id: string; key: string }>;
  /** Makes a key, then revokes or expires it. */
  makeDeadKey(userId: string, organizationId: string | null, how: 'revoked' | 'expired'): Promise<string>;
}

interface Operation {
  method: string;
  path: string;
}

export interface Rule {
  /** null: any valid key. */
  scope: Scope | null;
  /** Acts on one avatar: visible (the design's access query) or owner (the same organization and user) only. */
  avatar?: 'visible' | 'owner';
}

/**
 * What the design (docs/design.md) says of each endpoint. test/api/route-coverage.test.ts fails when an operation of the document with
 * `security` has no rule here, or a rule names an operation the document no longer has.
 */
export const RULES: Record<string, Rule> = {
  'GET /api/v1/avatars': { scope: 'avatars:read' },
  'POST /api/v1/avatars': { scope: 'avatars:write' },
  'GET /api/v1/avatars/{id}': { scope: 'avatars:read', avatar: 'visible' },
  'PUT /api/v1/avatars/{id}': { scope: 'avatars:write', avatar: 'owner' },
  'DELETE /api/v1/avatars/{id}': { scope: 'avatars:write', avatar: 'owner' },
  'POST /api/v1/avatars/{id}/source': { scope: 'avatars:write', avatar: 'owner' },
  'POST /api/v1/avatars/{id}/deploy': { scope: 'avatars:write', avatar: 'owner' },
  'POST /api/v1/avatars/{id}/undeploy': { scope: 'avatars:write', avatar: 'owner' },
  'POST /api/v1/avatars/{id}/preview': { scope: 'avatars:write', avatar: 'visible' },
  'POST /api/v1/avatars/{id}/sessions': { scope: 'avatars:write', avatar: 'visible' },
  'GET /api/v1/avatars/{id}/sessions': { scope: 'avatars:read', avatar: 'visible' },
  'GET /api/v1/sessions/{id}': { scope: 'avatars:read', avatar: 'visible' },
  'DELETE /api/v1/sessions/{id}': { scope: 'avatars:write', avatar: 'visible' },
  'POST /api/v1/avatars/{id}/videos': { scope: 'avatars:write', avatar: 'visible' },
  'GET /api/v1/avatars/{id}/videos': { scope: 'avatars:read', avatar: 'visible' },
  'GET /api/v1/videos/{id}': { scope: 'avatars:read', avatar: 'visible' },
  'DELETE /api/v1/videos/{id}': { scope: 'avatars:write', avatar: 'visible' },
  'GET /api/v1/auth/whoami': { scope: null },
  'POST /api/v1/auth/api-keys': { scope: 'keys:admin' },
  'GET /api/v1/auth/api-keys': { scope: 'keys:admin' },
  'DELETE /api/v1/auth/api-keys/{id}': { scope: 'keys:admin' },
  'POST /api/v1/webhooks': { scope: 'webhooks:admin' },
  'GET /api/v1/webhooks': { scope: 'webhooks:admin' },
  'GET /api/v1/webhooks/{id}': { scope: 'webhooks:admin' },
  'DELETE /api/v1/webhooks/{id}': { scope: 'webhooks:admin' },
  'GET /api/v1/webhooks/{id}/deliveries': { scope: 'webhooks:admin' },
};

const ALL: Scope[] = ['avatars:read', 'avatars:write', 'keys:admin', 'webhooks:admin'];
const MISSING_AVATAR = 'avt_0000000000000000';

export interface MatrixResult {
  endpoints: number;
  keys: number;
  /** Requests sent. */
  cells: number;
  problems: string[];
}

type Answer = { status: number; body: any; contentType: string };

async function call(
  url: string,
  method: string,
  path: string,
  secret: string | null,
  body?: { json?: unknown; raw?: Buffer },
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (secret) headers['x-api-key'] = secret;
  let payload: string | Buffer | undefined;
  if (body?.raw) {
    payload = body.raw;
    headers['content-type'] = 'model/gltf-binary';
  } else if (body?.json !== undefined) {
    payload = JSON.stringify(body.json);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method, headers, body: payload as BodyInit | undefined });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* kept as text */
  }
  return { status: response.status, body: parsed, contentType: response.headers.get('content-type') ?? '' };
}

export async function runTenancyMatrix(server: MatrixServer): Promise<MatrixResult> {
  const problems: string[] = [];
  let cells = 0;
  const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, { security?: unknown[] }>>(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (op.security?.length) operations.push({ method: method.toUpperCase(), path });
    }
  }

  // Tenants: two users of org_a, a user of org_b, a user of no organization.
  const owners = {
    owner: { userId: 'u_owner', organizationId: 'org_a' },
    colleague: { userId: 'u_colleague', organizationId: 'org_a' },
    stranger: { userId: 'u_stranger', organizationId: 'org_b' },
    loner: { userId: 'u_loner', organizationId: null },
  } as const;
  const fullKeys = new Map<string, string>();
  for (const [name, who] of Object.entries(owners)) fullKeys.set(name, (await server.makeKey(who.userId, who.organizationId, ALL)).key);

  const keys: MatrixKey[] = [];
  for (const [name, who] of Object.entries(owners)) keys.push({ label: name, secret: fullKeys.get(name)!, ...who, scopes: ALL });
  for (const scope of ALL) {
    keys.push({
      label: `owner with ${scope} only`,
      secret: (await server.makeKey('u_owner', 'org_a', [scope])).key,
      ...owners.owner,
      scopes: [scope],
    });
  }
  // What an attacker can get without any tenant's help: each tenant's user id again, minted over the API by another
  // organization's keys:admin, and with no organization at all (user ids are unique only inside one organization).
  const adminOf = { org_a: fullKeys.get('owner')!, org_b: fullKeys.get('stranger')! };
  for (const [name, who] of Object.entries(owners)) {
    const elsewhere = who.organizationId === 'org_b' ? 'org_a' : 'org_b';
    const minted = await call(server.url, 'POST', '/api/v1/auth/api-keys', adminOf[elsewhere], {
      json: { userId: who.userId, scopes: ALL },
    });
    if (minted.status !== 201 || minted.body.organizationId !== elsewhere)
      problems.push(`minting ${who.userId} in ${elsewhere}: ${minted.status} ${JSON.stringify(minted.body)}`);
    keys.push({
      label: `${name}'s user id minted in ${elsewhere}`,
      secret: minted.body.key,
      userId: who.userId,
      organizationId: elsewhere,
      scopes: ALL,
    });
    if (who.organizationId !== null) {
      keys.push({
        label: `${name}'s user id, no organization`,
        secret: (await server.makeKey(who.userId, null, ALL)).key,
        userId: who.userId,
        organizationId: null,
        scopes: ALL,
      });
    }
  }
  keys.push({
    label: 'owner, revoked',
    secret: await server.makeDeadKey('u_owner', 'org_a', 'revoked'),
    ...owners.owner,
    scopes: ALL,
    dead: true,
  });
  keys.push({
    label: 'owner, expired',
    secret: await server.makeDeadKey('u_owner', 'org_a', 'expired'),
    ...owners.owner,
    scopes: ALL,
    dead: true,
  });
  keys.push({ label: 'no key', secret: null, ...owners.owner, scopes: ALL, dead: true });
  keys.push({ label: 'unknown key', secret: `sk_${'x'.repeat(40)}`, ...owners.owner, scopes: ALL, dead: true });

  const vrm = fs.readFileSync(VRM_FIXTURES.overrides);
  const bodyFor = (op: Operation): { json?: unknown; raw?: Buffer } | undefined => {
    if (op.method === 'PUT') return { json: { name: 'changed by the matrix' } };
    if (op.path.endsWith('/source')) return { raw: vrm };
    if (op.method === 'POST' && op.path === '/api/v1/avatars') return { json: { name: 'matrix', tier: 'stylized_3d' } };
    if (op.method === 'POST' && op.path === '/api/v1/auth/api-keys') return { json: { scopes: ['avatars:read'] } };
    if (op.method === 'POST' && op.path === '/api/v1/webhooks')
      return { json: { url: 'https://hooks.example.invalid/m', events: ['video.completed'] } };
    return undefined;
  };
  const expectShape = (where: string, answer: Answer) => {
    for (const p of errorShapeProblems(answer.status, answer.body, answer.contentType)) problems.push(`${where}: ${p}`);
  };
  const gate = (key: MatrixKey, rule: Rule | undefined): { status: number; code: string } | null => {
    if (key.dead) return { status: 401, code: 'unauthorized' };
    if (rule?.scope && !key.scopes.includes(rule.scope)) return { status: 403, code: 'scope-required' };
    return null;
  };
  // The design's access rule, written here independently of the code under test.
  const visible = (key: MatrixKey, tenant: { userId: string; organizationId: string | null }) =>
    key.organizationId !== null
      ? key.organizationId === tenant.organizationId
      : tenant.organizationId === null && key.userId === tenant.userId;
  const isOwner = (key: MatrixKey, tenant: { userId: string; organizationId: string | null }) =>
    key.userId === tenant.userId && key.organizationId === tenant.organizationId;

  for (const op of operations) {
    const rule = RULES[`${op.method} ${op.path}`];
    for (const key of keys) {
      const where = `${key.label}: ${op.method} ${op.path}`;
      if (op.path.includes('/avatars/{id}')) {
        // Fresh avatars for every cell, so a write that should not have happened shows as a change.
        const avatars = new Map<string, { id: string; before: any }>();
        for (const [name, secret] of fullKeys) {
          const created = await call(server.url, 'POST', '/api/v1/avatars', secret, { json: { name: `of ${name}`, tier: 'stylized_3d' } });
          avatars.set(name, { id: created.body._id, before: created.body });
        }
        const missing = await call(server.url, op.method, op.path.replace('{id}', MISSING_AVATAR), key.secret, bodyFor(op));
        cells++;
        for (const [name, avatar] of avatars) {
          const tenant = owners[name as keyof typeof owners];
          const cell = `${where} on ${name}'s avatar`;
          const answer = await call(server.url, op.method, op.path.replace('{id}', avatar.id), key.secret, bodyFor(op));
          cells++;
          expectShape(cell, answer);
          const gated = gate(key, rule);
          const sees = visible(key, tenant);
          const expected =
            gated ??
            (!sees
              ? { status: 404, code: 'not-found' }
              : rule?.avatar === 'owner' && !isOwner(key, tenant)
                ? { status: 403, code: 'forbidden' }
                : null);
          if (expected) {
            if (answer.status !== expected.status || answer.body?.code !== expected.code) {
              problems.push(
                `${cell}: expected ${expected.status} ${expected.code}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
              );
            }
          } else if ([401, 403, 404].includes(answer.status) || answer.status >= 500) {
            problems.push(`${cell}: allowed, but got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
          }
          if (!sees && !gated) {
            // Existence must not leak: the same status, code and sentence as for an id that was never made.
            const same =
              answer.status === missing.status &&
              answer.body?.code === missing.body?.code &&
              String(answer.body?.error).replace(avatar.id, 'ID') === String(missing.body?.error).replace(MISSING_AVATAR, 'ID');
            if (!same)
              problems.push(
                `${cell}: answer differs from a missing avatar's (${missing.status} ${JSON.stringify(missing.body)} vs ${answer.status} ${JSON.stringify(answer.body)})`,
              );
          }
          const mayWrite = !gated && sees && (rule?.avatar !== 'owner' || isOwner(key, tenant));
          if (op.method !== 'GET' && !mayWrite) {
            const after = await call(server.url, 'GET', `/api/v1/avatars/${avatar.id}`, fullKeys.get(name)!);
            if (JSON.stringify(after.body) !== JSON.stringify(avatar.before))
              problems.push(`${cell}: the avatar changed although the call was refused`);
          }
        }
      } else {
        const answer = await call(server.url, op.method, op.path.replace('{id}', 'ak_none'), key.secret, bodyFor(op));
        cells++;
        expectShape(where, answer);
        const gated = gate(key, rule);
        if (gated && (answer.status !== gated.status || answer.body?.code !== gated.code)) {
          problems.push(
            `${where}: expected ${gated.status} ${gated.code}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
          );
        }
        if (!gated && answer.status >= 500) problems.push(`${where}: ${answer.status}`);
        if (!gated && op.method === 'GET' && op.path === '/api/v1/avatars') {
          const seen = (answer.body.avatars as { userId: string; organizationId: string | null; _id: string }[]) ?? [];
          for (const a of seen) if (!visible(key, a)) problems.push(`${where}: lists ${a._id} of ${a.userId}/${a.organizationId}`);
        }
        if (!gated && op.method === 'POST' && op.path === '/api/v1/auth/api-keys') {
          // It mints inside its own organization, and never a scope it does not hold (the body asks avatars:read).
          const expected = key.scopes.includes('avatars:read') ? 201 : 403;
          if (answer.status !== expected || (expected === 201 && answer.body.organizationId !== key.organizationId)) {
            problems.push(
              `${where}: expected ${expected} in ${key.organizationId}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
            );
          }
        }
        if (!gated && op.method === 'GET' && op.path === '/api/v1/auth/api-keys') {
          for (const k of answer.body.keys as { userId: string; organizationId: string | null }[]) {
            if (!visible(key, k)) problems.push(`${where}: lists a key of ${k.userId}/${k.organizationId}`);
          }
        }
        if (!gated && op.method === 'DELETE' && op.path === '/api/v1/auth/api-keys/{id}') {
          // Each tenant's key: an admin may revoke only within its organization (or its own orgless keys).
          for (const [name, tenant] of Object.entries(owners)) {
            const victim = await server.makeKey(tenant.userId, tenant.organizationId, ['avatars:read']);
            const revoke = await call(server.url, 'DELETE', `/api/v1/auth/api-keys/${victim.id}`, key.secret);
            cells++;
            const manages = visible(key, tenant);
            const stillWorks = (await call(server.url, 'GET', '/api/v1/auth/whoami', victim.key)).status === 200;
            if (manages && (revoke.status !== 200 || stillWorks))
              problems.push(`${where} on ${name}'s key: ${revoke.status}, still works: ${stillWorks}`);
            if (!manages && (revoke.status !== 404 || !stillWorks))
              problems.push(`${where} on ${name}'s key: ${revoke.status} (expected 404), still works: ${stillWorks}`);
          }
        }
      }
    }
  }
  return { endpoints: operations.length, keys: keys.length, cells, problems };
}
