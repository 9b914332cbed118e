/** How the console names tiers, and which statuses it keeps asking about. The avatar's type is the API's. */
import type { Avatar, Tier } from '../api/avatars-client.ts';

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
