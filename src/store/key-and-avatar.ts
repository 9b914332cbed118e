import { API_KEY, type ApiKeyRecord, type ApiKeyStore } from './api-keys.ts';
import { AVATAR, type AvatarRecord, type AvatarStore } from './avatars.ts';
import { DEPLOYMENT, type DeploymentRecord, type DeploymentStore } from './deployments.ts';
import type { FastPaths } from './fast-paths.ts';

/** What an authenticated get of one avatar reads: the caller's key (by secret hash), the avatar and its deployment. */
export interface KeyAndAvatar {
  key: ApiKeyRecord | null;
  /** Null when there is no key either: an unknown secret reads nothing else. */
  avatar: AvatarRecord | null;
  /** Tier 2/3 only; null for stylized_3d. */
  deployment: DeploymentRecord | null;
}

/** `avatarId` null: the key alone (every other authenticated request), in the same shared statement. */
export type KeyAndAvatarRead = (secretHash: string, avatarId: string | null) => Promise<KeyAndAvatar>;

/**
 * The key, the avatar and its deployment together, read fresh (no cache: a revoked key or a deleted avatar counts at
 * once on every replica). On PostgreSQL one named statement, so one round trip where the three reads apart were three,
 * and the requests that arrive together (one turn of the event loop) share it: node-pg spends ~100 µs of CPU a query
 * whatever its size, more than the rest of a get. Elsewhere (SQLite, a transaction) the three repositories' own reads,
 * which cost no round trip.
 */
export function keyAndAvatarRead(
  fast: FastPaths,
  repositories: { apiKeys: ApiKeyStore; avatars: AvatarStore; deployments: DeploymentStore },
): KeyAndAvatarRead {
  const arrays = fast.reads.arrays;
  if (!arrays) {
    return async (secretHash, avatarId) => {
      const key = await repositories.apiKeys.findByHash(secretHash);
      const avatar = key && avatarId !== null ? await repositories.avatars.findById(avatarId) : null;
      const deployment = avatar && avatar.tier !== 'stylized_3d' ? await repositories.deployments.find(avatar.id) : null;
      return { key, avatar, deployment };
    };
  }
  let waiting: Waiting[] = [];
  const flush = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length > 0) void readBatch(arrays, batch);
  };
  return (secretHash, avatarId) =>
    new Promise<KeyAndAvatar>((resolve, reject) => {
      // Read once the reads of this turn are in (setImmediate: after the I/O callbacks that started them).
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ secretHash, avatarId, resolve, reject });
      if (waiting.length >= BATCH_MOST) flush();
    });
}

interface Waiting {
  secretHash: string;
  avatarId: string | null;
  resolve(read: KeyAndAvatar): void;
  reject(error: unknown): void;
}

/** Reads to one statement at most (a bound on its size and on the wait of the first one). */
const BATCH_MOST = 64;

async function readBatch(arrays: NonNullable<FastPaths['reads']['arrays']>, batch: Waiting[]): Promise<void> {
  try {
    const rows = await arrays(KEYS_AND_AVATARS, [batch.map((read) => read.secretHash), batch.map((read) => read.avatarId)]);
    // Ordinality numbers the reads from 1 (bigint: a string from pg); a read without a row found no key.
    const byRead = new Map(rows.map((values) => [Number(values[0]), values]));
    batch.forEach((read, i) => read.resolve(decode(byRead.get(i + 1))));
  } catch (error) {
    for (const read of batch) read.reject(error);
  }
}

function decode(values: unknown[] | undefined): KeyAndAvatar {
  if (!values) return { key: null, avatar: null, deployment: null };
  const key = API_KEY.fromSelected(objectOf(API_KEY.names, values, KEY_AT));
  const avatar = values[AVATAR_AT] === null ? null : AVATAR.fromSelected(objectOf(AVATAR.names, values, AVATAR_AT));
  const hasDeployment = avatar !== null && avatar.tier !== 'stylized_3d' && values[DEPLOYMENT_AT] !== null;
  const deployment = hasDeployment ? DEPLOYMENT.fromSelected(objectOf(DEPLOYMENT.names, values, DEPLOYMENT_AT)) : null;
  return { key, avatar, deployment };
}

/**
 * For each (secret hash, avatar id) of the two arrays, numbered from 1: one row when the key exists (none otherwise),
 * its avatar's and deployment's columns null when they do not. Each part selects its record's columns in `names`
 * order; the first of the avatar's and of the deployment's is never null in a row that exists (id, avatar_id). One
 * statement whatever the number of reads (arrays as parameters), so one prepared statement.
 *
 * The arrays are read through `(select ?)` so the planner cannot see their length. Seeing it, it found a read of one
 * cheaper to plan afresh each run than the generic plan (sized for ten), and never kept a plan: planning cost the
 * database about 0.3 ms a statement, more than running it (test/api/store-hot-reads.test.ts counts the plans).
 */
const KEYS_AND_AVATARS = [
  'select r.n, k.*, a.*, d.* from unnest((select ?::text[]), (select ?::text[])) with ordinality as r(secret_hash, avatar_id, n)',
  `join lateral (select ${API_KEY.list} from api_keys where secret_hash = r.secret_hash) k on true`,
  `left join lateral (select ${AVATAR.list} from avatars where id = r.avatar_id) a on true`,
  `left join lateral (select ${DEPLOYMENT.list} from deployments where avatar_id = r.avatar_id) d on true`,
].join(' ');
const KEY_AT = 1;
const AVATAR_AT = KEY_AT + API_KEY.names.length;
const DEPLOYMENT_AT = AVATAR_AT + AVATAR.names.length;

function objectOf(names: readonly string[], values: unknown[], from: number): object {
  const row: { [name: string]: unknown } = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[from + i];
  return row;
}
