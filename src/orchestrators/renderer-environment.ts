import { RENDERER_ENV as ENV } from '../../contract/renderer-environment.ts';
import type { RendererSpec } from './orchestrator.ts';

/** Where and how a platform runs the renderer: what differs between orchestrators. */
export interface RendererPlacement {
  host: string;
  port: number;
  /** RENDERER_ICE_HOSTS; left out where the platform sets it itself (Kubernetes: the pod's address). */
  iceHosts?: string;
  /** RENDERER_PARENT_PID: the renderer leaves when this process is gone. */
  parentPid?: number;
  /**
   * RENDERER_ORPHAN_SECONDS: the renderer stops itself after this long without a call from the API (and without a live
   * session). Local only: on Kubernetes a Deployment would start it again, so it is left out there.
   */
  orphanSeconds?: number;
}

export interface RendererEnvVar {
  name: string;
  value: string;
}

/**
 * The environment of one avatar's renderer (contract/renderer-environment.ts), in a fixed order, for every
 * orchestrator. RENDERER_SECRET carries the secret itself: a platform that passes it by reference swaps it.
 */
export function rendererEnvironment(spec: RendererSpec, placement: RendererPlacement): RendererEnvVar[] {
  const env: [string, string | undefined][] = [
    [ENV.host, placement.host],
    [ENV.port, String(placement.port)],
    [ENV.secret, spec.secret],
    [ENV.avatarId, spec.avatarId],
    [ENV.portraitImage, spec.portrait.imageUrl],
    [ENV.portraitFace, spec.portrait.faceUrl],
    [ENV.renderConfig, JSON.stringify(spec.config)],
    [ENV.maxSessions, spec.maxSessions ? String(spec.maxSessions) : undefined],
    [ENV.iceHosts, placement.iceHosts],
    [ENV.parentPid, placement.parentPid === undefined ? undefined : String(placement.parentPid)],
    [ENV.orphanSeconds, placement.orphanSeconds === undefined ? undefined : String(placement.orphanSeconds)],
  ];
  return env.filter((entry): entry is [string, string] => entry[1] !== undefined).map(([name, value]) => ({ name, value }));
}
