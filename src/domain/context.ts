import type { Store } from '../store/database.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Config } from '../config.ts';
import type { UploadGate } from './avatars/upload-gate.ts';
import type { RenderingPartsReport } from '../orchestrators/rendering-parts-report.ts';
import { ERRORS } from './errors.ts';

export const SCOPES = ['avatars:read', 'avatars:write', 'keys:admin', 'webhooks:admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who calls: resolved from the API key by the auth plugin. */
export interface Actor {
  keyId: string;
  userId: string;
  organizationId: string | null;
  scopes: readonly Scope[];
}

/** The background loops (preprocessing, deployments): verbs wake them after changing desired state. */
export interface Background {
  wake(): void;
  /**
   * Resolves when the loop's next full pass ends (every task ran once), so a verb can wait for what
   * the reconciler does next; never resolves while the loop is stopped.
   */
  nextPass(): Promise<void>;
}

/** What every verb needs besides its input. */
export interface Services {
  store: Store;
  blobs: BlobStore;
  config: Config;
  background: Background;
  /** The server's one bound on source uploads being read and checked at once (config.uploads). */
  uploads: UploadGate;
  /** What Tier 2/3 rendering needs on this machine, checked at start; absent where nothing is checked (`/readyz`). */
  renderingParts?: RenderingPartsReport | null;
  /** This process's webhook delivery worker, woken when deliveries are recorded; absent where none runs (the loop's wake then). */
  webhookDeliveries?: { wake(): void };
}

export interface Ctx {
  actor: Actor;
  services: Services;
}

/** The first line of every verb: the caller's key must carry the scope. */
export function requireScope(ctx: Ctx, scope: Scope): void {
  if (!ctx.actor.scopes.includes(scope)) throw ERRORS.scopeRequired(scope);
}
