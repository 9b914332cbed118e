import type { Kysely, Selectable } from 'kysely';
import type { FastPaths } from './fast-paths.ts';
import { numeric, recordColumns } from './record-columns.ts';
import type { Database, DeploymentsTable } from './schema.ts';
import type { DeploymentState } from '../model/avatar-fields.ts';

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

export const DEPLOYMENT = recordColumns<DeploymentRecord, Selectable<DeploymentsTable>>({
  avatarId: null,
  desired: null,
  state: null,
  since: null,
  restarts: numeric,
  lastError: null,
  endpoint: null,
  secret: null,
  lastUsedAt: null,
  nextAttemptAt: null,
  scaledToZeroAt: null,
});

/** What one step of the lifecycle writes (see domain/deployments/deployment-lifecycle.ts). */
export type DeploymentChanges = Partial<Omit<DeploymentRecord, 'avatarId'>>;

/** The record's columns, named, so the statement's result does not change when a column is added. */
const FIND = `select ${DEPLOYMENT.list} from deployments where avatar_id = ?`;

/** The deployments table; `fast` is its store's (fast-paths.ts). */
export function deploymentStore(db: Kysely<Database>, fast: FastPaths) {
  const cache = () => fast.deploymentRows;
  return {
    async find(avatarId: string): Promise<DeploymentRecord | null> {
      // On every get of a Tier 2/3 avatar: a fixed statement, not a query built per request.
      const row = await cache().read(avatarId, async () => (await fast.reads.one<object>(FIND, [avatarId])) ?? null);
      return row ? DEPLOYMENT.fromSelected(row) : null;
    },

    async all(): Promise<DeploymentRecord[]> {
      return (await db.selectFrom('deployments').selectAll().orderBy('avatar_id').execute()).map(DEPLOYMENT.fromRow);
    },

    /** Creates the row, or changes it when it exists (a repeated deploy). */
    async upsert(record: DeploymentRecord): Promise<void> {
      await cache().writing(record.avatarId, () =>
        db
          .insertInto('deployments')
          .values(DEPLOYMENT.toRow(record))
          .onConflict((oc) => oc.column('avatar_id').doUpdateSet(DEPLOYMENT.toColumns({ ...record, avatarId: undefined })))
          .execute(),
      );
    },

    async update(avatarId: string, changes: DeploymentChanges): Promise<void> {
      const columns = DEPLOYMENT.toColumns(changes);
      if (Object.keys(columns).length === 0) return;
      await cache().writing(avatarId, () => db.updateTable('deployments').set(columns).where('avatar_id', '=', avatarId).execute());
    },

    /**
     * The reconciler's write: applied only while the row still holds the owner's wish and the state it read, so a
     * deploy or undeploy that lands while the reconciler talks to the orchestrator is never overwritten by what it
     * concluded from the older row. False when the row moved on (the next pass starts from the new one).
     */
    async updateIfUnchanged(seen: DeploymentRecord, changes: DeploymentChanges): Promise<boolean> {
      const columns = DEPLOYMENT.toColumns(changes);
      if (Object.keys(columns).length === 0) return true;
      const scaledAt = seen.scaledToZeroAt ?? null;
      const result = await cache().writing(seen.avatarId, () =>
        db
          .updateTable('deployments')
          .set(columns)
          .where('avatar_id', '=', seen.avatarId)
          .where('desired', '=', seen.desired)
          .where('state', '=', seen.state)
          .where('scaled_to_zero_at', scaledAt === null ? 'is' : '=', scaledAt)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
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

export type DeploymentStore = ReturnType<typeof deploymentStore>;
