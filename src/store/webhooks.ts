import type { Kysely, Selectable } from 'kysely';
import { jsonText, numeric, orNull, recordColumns } from './record-columns.ts';
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.ts';

export type WebhookEndpointStatus = 'active' | 'failing' | 'disabled';
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  status: WebhookEndpointStatus;
  statusReason: string | null;
  userId: string;
  organizationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventType: string;
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

const ENDPOINT = recordColumns<WebhookEndpointRecord, Selectable<WebhookEndpointsTable>>({
  id: null,
  url: null,
  description: orNull,
  events: jsonText,
  secret: null,
  status: null,
  statusReason: orNull,
  userId: null,
  organizationId: orNull,
  createdAt: null,
  updatedAt: null,
});

const DELIVERY = recordColumns<WebhookDeliveryRecord, Selectable<WebhookDeliveriesTable>>({
  id: null,
  endpointId: null,
  eventType: null,
  payload: null,
  status: null,
  attempts: numeric,
  lastStatusCode: numeric,
  lastError: orNull,
  nextAttemptAt: orNull,
  createdAt: null,
  updatedAt: null,
  deliveredAt: orNull,
});

/** Whose endpoints: an organization's, or an orgless user's own (domain/tenant.ts `sees`). */
export interface WebhookOwner {
  userId: string;
  organizationId: string | null;
}

/** What one attempt's outcome writes. */
export type DeliveryOutcome = Partial<
  Pick<WebhookDeliveryRecord, 'status' | 'attempts' | 'lastStatusCode' | 'lastError' | 'nextAttemptAt' | 'deliveredAt' | 'updatedAt'>
>;

export function webhookStore(db: Kysely<Database>) {
  const owned = (owner: WebhookOwner) =>
    owner.organizationId !== null
      ? db.selectFrom('webhook_endpoints').selectAll().where('organization_id', '=', owner.organizationId)
      : db.selectFrom('webhook_endpoints').selectAll().where('organization_id', 'is', null).where('user_id', '=', owner.userId);

  return {
    async insertEndpoint(endpoint: WebhookEndpointRecord): Promise<void> {
      await db.insertInto('webhook_endpoints').values(ENDPOINT.toRow(endpoint)).execute();
    },

    async findEndpoint(id: string): Promise<WebhookEndpointRecord | null> {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? ENDPOINT.fromRow(row) : null;
    },

    /** The owner's endpoints, newest first. */
    async listEndpoints(owner: WebhookOwner): Promise<WebhookEndpointRecord[]> {
      const rows = await owned(owner).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map((row) => ENDPOINT.fromRow(row));
    },

    /** The owner's endpoints that take deliveries (active or failing: a failing one is retried on new events). */
    async listDeliverable(owner: WebhookOwner): Promise<WebhookEndpointRecord[]> {
      const rows = await owned(owner).where('status', '!=', 'disabled').execute();
      return rows.map((row) => ENDPOINT.fromRow(row));
    },

    async updateEndpointStatus(id: string, status: WebhookEndpointStatus, reason: string | null, at: string): Promise<void> {
      await db.updateTable('webhook_endpoints').set({ status, status_reason: reason, updated_at: at }).where('id', '=', id).execute();
    },

    /** The endpoint and its log go together. */
    async deleteEndpoint(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
        const result = await trx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async insertDeliveries(deliveries: WebhookDeliveryRecord[]): Promise<void> {
      if (deliveries.length === 0) return;
      await db
        .insertInto('webhook_deliveries')
        .values(deliveries.map((d) => DELIVERY.toRow(d)))
        .execute();
    },

    async findDelivery(id: string): Promise<WebhookDeliveryRecord | null> {
      const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? DELIVERY.fromRow(row) : null;
    },

    /**
     * An endpoint's log, newest first (id breaks ties); `after` starts the page past that (createdAt, id) (keyset:
     * deliveries logged or swept meanwhile move no other across a page's edge), read along the (endpoint, createdAt)
     * index. `last` is the page's last key when another page follows.
     */
    async listDeliveries(
      endpointId: string,
      limit: number,
      offset: number,
      after: { createdAt: string; id: string } | null = null,
    ): Promise<{ deliveries: WebhookDeliveryRecord[]; count: number; last: { createdAt: string; id: string } | null }> {
      const [rows, counted] = await Promise.all([
        db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('endpoint_id', '=', endpointId)
          .$if(after !== null, (qb) =>
            qb.where((eb) =>
              eb.or([eb('created_at', '<', after!.createdAt), eb.and([eb('created_at', '=', after!.createdAt), eb('id', '<', after!.id)])]),
            ),
          )
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit + 1)
          .$if(after === null, (qb) => qb.offset(offset))
          .execute(),
        db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('endpoint_id', '=', endpointId)
          .executeTakeFirst(),
      ]);
      const deliveries = rows.slice(0, limit).map((row) => DELIVERY.fromRow(row));
      const lastShown = deliveries[deliveries.length - 1];
      const last = rows.length > limit && lastShown ? { createdAt: lastShown.createdAt, id: lastShown.id } : null;
      return { deliveries, count: Number(counted?.n ?? 0), last };
    },

    /** Pending deliveries due at `now` whose lease is free, oldest due first. */
    async findDue(now: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** The next time a pending delivery falls due (the worker's idea of when to look again), or null. */
    async nextDueAt(): Promise<string | null> {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return (row?.at as string | null | undefined) ?? null;
    },

    /**
     * Takes one due delivery for one attempt: a single conditional update, so of two replicas racing for it exactly
     * one wins, and nobody takes it again before the lease runs out.
     */
    async claim(id: string, owner: string, now: string, until: string): Promise<boolean> {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: owner, lease_until: until })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Writes an attempt's outcome and frees the lease; only while `owner` still holds it. */
    async finishAttempt(id: string, owner: string, outcome: DeliveryOutcome): Promise<boolean> {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ ...DELIVERY.toColumns(outcome), lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Forgets finished deliveries (delivered or failed) last changed before `before`: the log keeps a window. */
    async deleteFinishedBefore(before: string): Promise<number> {
      const result = await db
        .deleteFrom('webhook_deliveries')
        .where('status', '!=', 'pending')
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Stops an endpoint's pending deliveries (it was disabled or ran out of retries). */
    async failPending(endpointId: string, reason: string, at: string): Promise<void> {
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: reason, next_attempt_at: null, updated_at: at })
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'pending')
        .execute();
    },
  };
}

export type WebhookStore = ReturnType<typeof webhookStore>;
