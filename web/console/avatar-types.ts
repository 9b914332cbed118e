/** The parts of the API's answers the console reads. */
export type Tier = 'stylized_3d' | 'animated_portrait' | 'realtime_lipsync';

export interface AvatarSummary {
  _id: string;
  name: string;
  tier: Tier;
  status: string;
  createdAt: string;
}

export interface Deployment {
  state: 'stopped' | 'starting' | 'running' | 'stopping' | 'failed' | string;
  since: string | null;
  restarts: number;
  lastError: string | null;
}

export interface Avatar extends AvatarSummary {
  description: string | null;
  renderStyle?: 'vrm' | 'orb';
  orbColor?: string;
  orbSize?: number;
  preprocessed: boolean;
  error: string | null;
  config: { resolution: string; frameRate: number; idleMotion: boolean };
  sourceModel: string | null;
  sourceImage?: string | null;
  renderingEndpoint: string | null;
  deployment?: Deployment;
  userId: string;
  organizationId: string | null;
  updatedAt: string;
}

export interface PreviewAnswer {
  avatarId: string;
  previewUrl: string | null;
  tier?: Tier;
  message?: string;
  status?: string;
}

export const TIER_LABELS: Record<Tier, string> = {
  stylized_3d: 'Stylized 3D (VRM or orb)',
  animated_portrait: 'Animated portrait (Tier 2)',
  realtime_lipsync: 'Real-time lip-sync (Tier 3)',
};

export const isPortraitTier = (tier: Tier): boolean => tier !== 'stylized_3d';

/** Statuses that change on their own, so the console keeps asking. */
export function isSettling(avatar: Avatar): boolean {
  return avatar.status === 'preprocessing' || avatar.deployment?.state === 'starting' || avatar.deployment?.state === 'stopping';
}
