import type { FastifyBaseLogger } from 'fastify';
import { type PartCheck, RENDERING_PARTS } from '../../contract/rendering-parts.ts';
import type { Orchestrator } from './orchestrator.ts';

/** One check as `/readyz` shows it: ok, failed with why, or `ok: null` while it still runs (the first seconds). */
export interface ReadinessCheck {
  ok: boolean | null;
  reason?: string;
}

export interface RenderingPartsReport {
  /** Each part of the rendering path (contract/rendering-parts.ts) by name. */
  checks(): Record<string, ReadinessCheck>;
  /** Forget a check still running (the server is closing): nothing more is logged. */
  close(): void;
}

/**
 * Checks, once at start and in the background, what Tier 2/3 rendering needs on this machine (the local orchestrator:
 * the renderer program starts, ffmpeg with libx264), and logs one warning for each missing part. A missing part
 * leaves the API ready (Tier 1 renders in the browser): `/readyz` answers 200 with status `degraded`. Null when the
 * orchestrator cannot tell from here (Kubernetes: the renderer image brings its parts).
 */
export function checkRenderingParts(orchestrator: Orchestrator, log: FastifyBaseLogger): RenderingPartsReport | null {
  if (!orchestrator.checkParts) return null;
  let found: Record<string, PartCheck> | null = null;
  let closed = false;
  orchestrator.checkParts().then(
    (parts) => {
      if (closed) return;
      found = parts;
      for (const [part, check] of Object.entries(parts)) {
        if (!check.ok)
          log.warn({ part, reason: check.reason }, `Tier 2/3 rendering is degraded: ${check.reason} Tier 1 avatars are not affected.`);
      }
    },
    (error: unknown) => {
      if (!closed) log.error({ err: error }, 'the parts of the rendering path could not be checked');
    },
  );
  return {
    checks: () => found ?? Object.fromEntries(RENDERING_PARTS.map((part) => [part, { ok: null }])),
    close: () => {
      closed = true;
    },
  };
}
