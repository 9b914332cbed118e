import { AvatarApiError } from '../api/avatars-client.ts';
import type { WhepViewer } from './whep-client.ts';

/** The avatar's participant attribute naming the agent it speaks for (LiveKit's avatar convention). */
export const PUBLISH_ON_BEHALF = 'lk.publish_on_behalf';

/**
 * The parts of livekit-client's `Room` this uses. The app passes its own connected Room: the SDK does not bundle
 * livekit-client (it would triple the SDK's size), and a LiveKit front end has one already.
 */
export interface LiveKitRoomLike {
  remoteParticipants: ReadonlyMap<string, LiveKitParticipantLike>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

export interface LiveKitParticipantLike {
  identity: string;
  attributes: Readonly<Record<string, string>>;
  trackPublications: ReadonlyMap<string, { track?: LiveKitTrackLike }>;
}

interface LiveKitTrackLike {
  mediaStreamTrack: MediaStreamTrack;
}

export interface LiveKitWatchOptions {
  /** The agent the avatar speaks for; without it, the first participant that speaks for any agent. */
  agentIdentity?: string;
  /** How long to wait for the avatar's video (default 30 s). */
  timeoutMs?: number;
}

/** Whether `participant` is the avatar of `agentIdentity` (or of any agent when none is named). */
export function isAvatarOf(participant: LiveKitParticipantLike, agentIdentity?: string): boolean {
  const onBehalf = participant.attributes[PUBLISH_ON_BEHALF];
  return onBehalf !== undefined && (agentIdentity === undefined || onBehalf === agentIdentity);
}

/**
 * Watches an agent's avatar in a LiveKit room: the participant whose `lk.publish_on_behalf` names the agent, its
 * camera and microphone as one MediaStream. Resolves once its video is subscribed; tracks it publishes later join the
 * stream. `close()` stops following the room (the app's Room stays connected). Kept small: it ships in the SDK.
 */
export function watchLiveKitAvatar(
  room: LiveKitRoomLike,
  { agentIdentity, timeoutMs = 30_000 }: LiveKitWatchOptions = {},
): Promise<WhepViewer> {
  const stream = new MediaStream();
  const add = (track: LiveKitTrackLike | undefined, _publication: unknown, participant: LiveKitParticipantLike) => {
    if (track && isAvatarOf(participant, agentIdentity) && !stream.getTracks().includes(track.mediaStreamTrack)) {
      stream.addTrack(track.mediaStreamTrack);
    }
  };
  const remove = (track: LiveKitTrackLike) => stream.removeTrack(track.mediaStreamTrack);
  room.on('trackSubscribed', add);
  room.on('trackUnsubscribed', remove);
  const close = async () => {
    room.off('trackSubscribed', add);
    room.off('trackUnsubscribed', remove);
  };
  for (const participant of room.remoteParticipants.values()) {
    for (const publication of participant.trackPublications.values()) add(publication.track, publication, participant);
  }
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (stream.getVideoTracks().length) return resolve({ stream, close });
      if (Date.now() < deadline) return setTimeout(check, 50);
      void close();
      const whose = agentIdentity ? `agent "${agentIdentity}"` : 'any agent';
      reject(
        new AvatarApiError(0, { error: `No avatar of ${whose} published video in the room within ${timeoutMs} ms.`, code: 'timeout' }),
      );
    };
    check();
  });
}
