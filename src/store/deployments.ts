import type { Kysely, Selectable } from 'kysely';
import { hotReadsOf } from './database.ts';
import { rowCacheOf } from './row-cache.ts';
import type { Database, DeploymentsTable } from './schema.ts';

export type DeploymentState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

export interface DeploymentRecord {
  avatarId: string;
  desired: 'running' | 'stopped';
  state: DeploymentState;
  since: string;
  restarts: number;
  lastError: string | null;
  endpoint: string | null;
  secret: string;
  lastUsedAt: string;
  nextAttemptAt: string | null;
  /**
   * When the reconciler stopped an idle on-demand avatar (scale to zero); null otherwise. `desired`
   * stays what the owner asked for. Absent in a new record means null.
   */
  scaledToZeroAt?: string | null;
}

function fromRow(row: Selectable<DeploymentsTable>): DeploymentRecord {
  return {
    avatarId: row.avatar_id,
    desired: row.desired as DeploymentRecord['desired'],
    state: row.state as DeploymentState,
    since: row.since,
    restarts: Number(row.restarts),
    lastError: row.last_error,
    endpoint: row.endpoint,
    secret: row.secret,
    lastUsedAt: row.last_used_at,
    nextAttemptAt: row.next_attempt_at,
    scaledToZeroAt: row.scaled_to_zero_at,
  };
}

/** What one step of the lifecycle writes (see domain/deployments/deployment-lifecycle.ts). */
export type DeploymentChanges = Partial<Omit<DeploymentRecord, 'avatarId'>>;

function toColumns(changes: DeploymentChanges): Partial<Selectable<DeploymentsTable>> {
  const c: Partial<Selectable<DeploymentsTable>> = {};
  if (changes.desired !== undefined) c.desired = changes.desired;
  if (changes.state !== undefined) c.state = changes.state;
  if (changes.since !== undefined) c.since = changes.since;
  if (changes.restarts !== undefined) c.restarts = changes.restarts;
  if (changes.lastError !== undefined) c.last_error = changes.lastError;
  if (changes.endpoint !== undefined) c.endpoint = changes.endpoint;
  if (changes.secret !== undefined) c.secret = changes.secret;
  if (changes.lastUsedAt !== undefined) c.last_used_at = changes.lastUsedAt;
  if (changes.nextAttemptAt !== undefined) c.next_attempt_at = changes.nextAttemptAt;
  if (changes.scaledToZeroAt !== undefined) c.scaled_to_zero_at = changes.scaledToZeroAt;
  return c;
}

/** The columns fromRow reads, named, so the statement's result does not change when a column is added. */
const FIND = `select avatar_id, desired, state, since, restarts, last_error, endpoint, secret, last_used_at, next_attempt_at,
  scaled_to_zero_at from deployments where avatar_id = ?`;

export function deploymentStore(db: Kysely<Database>) {
  const cache = () => rowCacheOf<Selectable<DeploymentsTable>>(db, 'deployments');
  return {
    async find(avatarId: string): Promise<DeploymentRecord | null> {
      // On every get of a Tier 2/3 avatar: a fixed statement, not a query built per request.
      const row = await cache().read(
        avatarId,
        async () => (await hotReadsOf(db).one<Selectable<DeploymentsTable>>(FIND, [avatarId])) ?? null,
      );
      return row ? fromRow(row) : null;
    },

    async all(): Promise<DeploymentRecord[]> {
      return (await db.selectFrom('deployments').selectAll().orderBy('avatar_id').execute()).map(fromRow);
    },

    /** Creates the row, or changes it when it exists (a repeated deploy). */
    async upsert(record: DeploymentRecord): Promise<void> {
      await cache().writing(record.avatarId, () =>
        db
          .insertInto('deployments')
          .values({ ...toColumns(record), avatar_id: record.avatarId } as Selectable<DeploymentsTable>)
          .onConflict((oc) => oc.column('avatar_id').doUpdateSet(toColumns(record)))
          .execute(),
      );
    },

    async update(avatarId: string, changes: DeploymentChanges): Promise<void> {
      const columns = toColumns(changes);
      if (Object.keys(columns).length === 0) return;
      await cache().writing(avatarId, () => db.updateTable('deployments').set(columns).where('avatar_id', '=', avatarId).execute());
    },

    /** Takes (or renews) the right to act on one deployment; true when this owner holds it. */
    async claimLease(avatarId: string, owner: string, now: string, until: string): Promise<boolean> {
      const result = await cache().writing(avatarId, () =>
        db
          .updateTable('deployments')
          .set({ lease_owner: owner, lease_until: until })
          .where('avatar_id', '=', avatarId)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    async touch(avatarId: string, at: string): Promise<void> {
      await cache().writing(avatarId, () =>
        db.updateTable('deployments').set({ last_used_at: at }).where('avatar_id', '=', avatarId).execute(),
      );
    },

    async delete(avatarId: string): Promise<void> {
      await cache().writing(avatarId, () => db.deleteFrom('deployments').where('avatar_id', '=', avatarId).execute());
    },
  };
}
