import { DEFAULT_RENDER_CONFIG, type RenderConfig } from '../../contract/render-config.ts';
import type { OnDemand, Resources, Tier } from '../model/avatar-fields.ts';

/** The rules of the tiers of docs/design.md: the defaults each one brings. */
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
