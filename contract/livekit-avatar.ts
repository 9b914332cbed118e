/**
 * LiveKit's avatar protocol, as livekit-agents (voice/avatar/_datastream_io.py) and agents-js speak it: the agent
 * sends each speech segment as a byte stream of raw int16 PCM on AUDIO_STREAM_TOPIC (its attributes give the rate
 * and channels; closing the stream ends the segment) and calls CLEAR_BUFFER to interrupt; the avatar calls
 * PLAYBACK_FINISHED (and may call PLAYBACK_STARTED) on the agent. Our renderer and our agent plugins both use it.
 */
export const LIVEKIT_AVATAR = {
  audioStreamTopic: 'lk.audio_stream',
  clearBuffer: 'lk.clear_buffer',
  playbackFinished: 'lk.playback_finished',
  playbackStarted: 'lk.playback_started',
  /** The avatar's participant attribute naming the agent it speaks for; front ends show it in the agent's place. */
  publishOnBehalf: 'lk.publish_on_behalf',
  /**
   * Ours: an avatar token with this attribute set to `mouth` makes the avatar send the agent each frame's mouth and
   * each interruption (the speech socket's `mouth` and `interrupted` events, as JSON) on DEBUG_TOPIC. For testing
   * lip-sync, as the socket's `"debug": true` is.
   */
  debugAttribute: 'avatars.debug',
  debugTopic: 'avatars.debug',
  /**
   * The agent's participant attribute that sets the emotion its avatar shows: `happy`, or `happy:0.8` with an
   * intensity from 0 to 1 (EMOTIONS of contract/expressions.ts); `neutral` or an empty value clears it. A value the
   * avatar cannot read is logged and leaves the face as it was.
   */
  expressionAttribute: 'lk.expression',
} as const;

/** The payload of PLAYBACK_FINISHED (JSON). */
export interface PlaybackFinished {
  /** Seconds of the segment that played. */
  playback_position: number;
  interrupted: boolean;
}
