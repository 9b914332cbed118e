/**
 * Avatars browser SDK: renders Tier 1 avatars (VRM or orb) with idle motion, lip-sync and expressions, and plays
 * Tier 2/3 previews. Importing it registers the <avatar-view> element.
 */
import { defineAvatarElement } from './avatar-element.ts';

export { AvatarView, DEFAULT_CONFIG, parseResolution, resolveConfig } from './avatar-view.ts';
export { AvatarViewElement, defineAvatarElement } from './avatar-element.ts';
export { AvatarApiError } from '../api/avatars-client.ts';
export { fetchAvatar, fetchPreviewUrl } from './avatar-api.ts';
export { mapVisemes } from './viseme-fallback.ts';
export { watchLiveSession, type LiveSessionTicket, type WhepViewer } from './whep-client.ts';
export {
  isAvatarOf,
  PUBLISH_ON_BEHALF,
  watchLiveKitAvatar,
  type LiveKitParticipantLike,
  type LiveKitRoomLike,
  type LiveKitWatchOptions,
} from './livekit-viewer.ts';
export { EMOTIONS, PORTRAIT_EMOTIONS, VISEME_NAMES } from './avatar-types.ts';
export type {
  AvatarDebugState,
  AvatarObject,
  AvatarRenderConfig,
  AvatarViewOptions,
  Emotion,
  ExpressionName,
  IdleMode,
  PortraitEmotion,
  PcmSpeech,
  SpeechSource,
  VisemeName,
} from './avatar-types.ts';

defineAvatarElement();
