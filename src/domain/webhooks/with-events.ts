import type { Services } from '../context.ts';
import { wakeDeliveries } from './emit-event.ts';

/**
 * Runs `work` in one database transaction, given services whose store reads and writes through it, so a change and
 * the webhook events that announce it (emitEvent) commit together or not at all: a change that is written always has
 * its event, even if this process dies right after, and an event is never sent for a change that was rolled back.
 * The delivery worker is woken once the transaction has committed: before that it could not see the deliveries.
 * `work` must not use the outer store (on SQLite it would wait for this transaction's connection).
 */
export async function withEvents<T>(services: Services, work: (tx: Services) => Promise<T>): Promise<T> {
  let recorded = false;
  const noted = { wake: () => void (recorded = true) };
  const result = await services.store.transaction((repositories) =>
    work({ ...services, store: { ...services.store, ...repositories }, webhookDeliveries: noted }),
  );
  if (recorded) wakeDeliveries(services);
  return result;
}
