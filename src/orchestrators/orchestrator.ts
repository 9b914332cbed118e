/**
 * Where rendering containers run. The reconciler is the only caller; it decides *what* should run
 * (from the database) and an orchestrator makes it so on one platform. Implementations: `local`
 * (child processes on loopback ports, the embedded default) and `kubernetes` (a Deployment and a
 * Service per avatar). Every method is idempotent: the reconciler calls them again after restarts.
 */

import type { RenderConfig } from '../../contract/render-config.ts';
import type { PartCheck, RenderingPart } from '../../contract/rendering-parts.ts';

export interface RendererResources {
  cpu: string;
  memory: string;
  gpu?: number;
  gpuType?: string;
}

/** Everything needed to run one avatar's rendering container. */
export interface RendererSpec {
  avatarId: string;
  organizationId: string | null;
  userId: string;
  tier: 'animated_portrait' | 'realtime_lipsync';
  resources: RendererResources;
  config: RenderConfig;
  /** Where the renderer reads the preprocessed portrait: URLs the renderer can fetch (or file paths locally). */
  portrait: { imageUrl: string; faceUrl: string };
  /** Per-deployment secret; every call from the API to the renderer carries it as a Bearer token. */
  secret: string;
  /** Concurrent live sessions the container takes (MAX_SESSIONS). */
  maxSessions?: number;
  /** 1 to run, 0 to keep the objects but run nothing (Kubernetes scale to zero; `local` stops the process). */
  replicas: 0 | 1;
}

export type RendererPhase = 'starting' | 'running' | 'stopped' | 'failed';

/** What the platform reports about one avatar's container. */
export interface RendererStatus {
  avatarId: string;
  phase: RendererPhase;
  /** Base URL the API uses to reach the renderer (never set by a user); null until it answers health checks. */
  endpoint: string | null;
  restarts: number;
  /** A sentence a user understands (e.g. "No node has a free nvidia-a10 GPU."), or null. */
  lastError: string | null;
}

export interface Orchestrator {
  /** Create the avatar's container, or update/adopt the one that exists; never make a second one. */
  apply(spec: RendererSpec): Promise<RendererStatus>;
  /** Current state, or null when nothing exists for the avatar. */
  status(avatarId: string): Promise<RendererStatus | null>;
  /**
   * Whether a container that has been `starting` (alive, not healthy) for `startingForMs` is hung and
   * should be replaced like a crashed one. Whether a long start is a fault depends on the platform.
   */
  isStuck(status: RendererStatus, startingForMs: number): boolean;
  /** Remove everything made for the avatar. No error when nothing exists. */
  remove(avatarId: string): Promise<void>;
  /** Every avatar this orchestrator has something running or kept for (adoption and orphan clean-up). */
  list(): Promise<RendererStatus[]>;
  /**
   * Whether what a renderer needs is there (contract/rendering-parts.ts), where the orchestrator can tell from this
   * machine: the local one runs the renderer's own check. Absent on Kubernetes (the renderer image brings its parts).
   */
  checkParts?(): Promise<Record<RenderingPart, PartCheck>>;
  /** Stop watching and release resources held by the orchestrator itself (not the containers). */
  close(): Promise<void>;
}
