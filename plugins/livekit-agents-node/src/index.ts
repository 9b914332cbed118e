/**
 * Avatars plugin for LiveKit Agents (agents-js): a self-hosted `realtime_lipsync` avatar joins the agent's room and
 * speaks its audio, as LiveKit's hosted avatar plugins do. See this package's README.md.
 */
export { type AvatarsAPIOptions, AvatarsAPI, DEFAULT_START_TIMEOUT_MS, type LiveKitSession } from './api.js';
export {
  ATTRIBUTE_PUBLISH_ON_BEHALF,
  AvatarSession,
  type AvatarSessionOptions,
  mintAvatarToken,
  SAMPLE_RATE,
  type StartOptions,
} from './avatar-session.js';
export { AvatarsError, type AvatarsErrorDetail, type AvatarsErrorOptions } from './errors.js';
export {
  AvatarsAudioOutput,
  attachWords,
  type Word,
  WORDS_SEGMENT_ATTRIBUTE,
  WORDS_TOPIC,
  WordsTextOutput,
  wordsMessages,
  wordsOf,
} from './words.js';
