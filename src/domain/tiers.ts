import { DEFAULT_RENDER_CONFIG, type RenderConfig } from '../../contract/render-config.ts';

/** The tiers of docs/design.md and the defaults each one brings. */
export const TIERS = ['stylized_3d', 'animated_portrait', 'realtime_lipsync'] as const;
export type Tier = (typeof TIERS)[number];

export const RENDER_STYLES = ['vrm', 'orb'] as const;
export type RenderStyle = (typeof RENDER_STYLES)[number];

export const GPU_TYPES = ['nvidia-t4', 'nvidia-l4', 'nvidia-a10', 'nvidia-l40s', 'nvidia-a100', 'nvidia-h100'] as const;
export type GpuType = (typeof GPU_TYPES)[number];

export const STATUSES = ['creating', 'preprocessing', 'ready', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

export const SCHEDULING_MODES = ['on_demand', 'always_on'] as const;

/** `deployment.state` of a Tier 2/3 avatar, as the store keeps it (DeploymentState in store/deployments.ts). */
export const DEPLOYMENT_STATES = ['stopped', 'starting', 'running', 'stopping', 'failed'] as const;

export interface Resources {
  cpu: string;
  memory: string;
  gpu?: number;
  gpuType?: GpuType;
}

export interface OnDemand {
  schedulingMode: (typeof SCHEDULING_MODES)[number];
  autoShutdownMinutes: number;
}

export const DEFAULT_ORB_COLOR = '#22d3ee';
export const DEFAULT_ORB_SIZE = 0.6;

export function isPortraitTier(tier: Tier): tier is 'animated_portrait' | 'realtime_lipsync' {
  return tier !== 'stylized_3d';
}

export function defaultResources(tier: Tier): Resources {
  return isPortraitTier(tier) ? { cpu: '2', memory: '8Gi', gpu: 1, gpuType: 'nvidia-a10' } : { cpu: '100m', memory: '256Mi' };
}

export function defaultConfig(): RenderConfig {
  return { ...DEFAULT_RENDER_CONFIG };
}

export function defaultOnDemand(): OnDemand {
  return { schedulingMode: 'on_demand', autoShutdownMinutes: 5 };
}
