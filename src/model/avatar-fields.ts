// The values an avatar's fields take and the shapes of its settings: what the store keeps, the domain's rules work
// on and the API's schemas list. The bottom of the service's imports (nothing here imports any of it), so the store
// can name these types without knowing anything of the domain above it.

export const TIERS = ['stylized_3d', 'animated_portrait', 'realtime_lipsync'] as const;
export type Tier = (typeof TIERS)[number];

export const RENDER_STYLES = ['vrm', 'orb'] as const;
export type RenderStyle = (typeof RENDER_STYLES)[number];

export const GPU_TYPES = ['nvidia-t4', 'nvidia-l4', 'nvidia-a10', 'nvidia-l40s', 'nvidia-a100', 'nvidia-h100'] as const;
export type GpuType = (typeof GPU_TYPES)[number];

export const STATUSES = ['creating', 'preprocessing', 'ready', 'failed'] as const;
export type Status = (typeof STATUSES)[number];

export const SCHEDULING_MODES = ['on_demand', 'always_on'] as const;

/** `deployment.state` of a Tier 2/3 avatar: its rendering container's lifecycle. */
export const DEPLOYMENT_STATES = ['stopped', 'starting', 'running', 'stopping', 'failed'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

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
