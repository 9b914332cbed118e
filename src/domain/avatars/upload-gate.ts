import type { Config } from '../../config.ts';
import type { Actor } from '../context.ts';
import { ERRORS } from '../errors.ts';

/** What a 429 tells the client to wait: about one upload's check. */
const RETRY_AFTER_SECONDS = 5;

interface Waiter {
  tenant: string;
  admit: () => void;
}

/**
 * Bounds the source uploads being checked at once, per server and per tenant (an organization, or an orgless user).
 * An upload past a bound waits, first come first served among those whose tenant has room, for at most `maxWaitMs`;
 * queueing rather than refusing at once lets a burst from one client through in turn, and the wait bound keeps a flood
 * from holding connections and bodies without end. At most `8 x perServer` wait; past that, 429 at once.
 */
export class UploadGate {
  private running = 0;
  private readonly byTenant = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: Config['uploads']) {}

  /** Resolves with the function that gives the slot back, or throws 429 `rate-limited` once the wait is over. */
  async enter(actor: Actor): Promise<() => void> {
    const tenant = actor.organizationId !== null ? `org:${actor.organizationId}` : `user:${actor.userId}`;
    // Waiters are admitted whenever a slot frees, so any still waiting is blocked by a bound: room now is fair.
    if (this.hasRoom(tenant)) return this.take(tenant);
    if (this.limits.maxWaitMs === 0 || this.waiting.length >= 8 * this.limits.perServer) {
      throw ERRORS.uploadsBusy(RETRY_AFTER_SECONDS);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        tenant,
        admit: () => {
          clearTimeout(timer);
          resolve(this.take(tenant));
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(ERRORS.uploadsBusy(RETRY_AFTER_SECONDS));
      }, this.limits.maxWaitMs);
      this.waiting.push(waiter);
    });
  }

  /** Uploads being checked now, and waiting: for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private hasRoom(tenant: string): boolean {
    return this.running < this.limits.perServer && (this.byTenant.get(tenant) ?? 0) < this.limits.perOrganization;
  }

  private take(tenant: string): () => void {
    this.running += 1;
    this.byTenant.set(tenant, (this.byTenant.get(tenant) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = this.byTenant.get(tenant)! - 1;
      if (left === 0) this.byTenant.delete(tenant);
      else this.byTenant.set(tenant, left);
      this.admitNext();
    };
  }

  private admitNext(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limits.perServer; ) {
      const waiter = this.waiting[i]!;
      if (this.hasRoom(waiter.tenant)) {
        this.waiting.splice(i, 1);
        waiter.admit();
      } else {
        i += 1;
      }
    }
  }
}
