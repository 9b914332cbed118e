import type { MediaStreamTrack, RTCPeerConnection } from '@roamhq/wrtc';
import { filterIceCandidates } from './ice-candidate-filter.ts';
import { loadWrtc } from './wrtc-binding.ts';
import { messageOf } from '../error-message.ts';

const GATHERING_TIMEOUT_MS = 3000;
/** A WHEP viewer receives one video and one audio track; a few more sections (a data channel) are tolerated. */
export const MAX_MEDIA_SECTIONS = 8;

/** libwebrtc refused the viewer's offer: the viewer's fault (400), not the renderer's. */
export class WhepOfferError extends Error {}

export interface WhepViewer {
  readonly pc: RTCPeerConnection;
  readonly answerSdp: string;
}

/**
 * Answers a WHEP offer (the viewer's recvonly audio and video) with the session's tracks. No trickle ICE:
 * the answer waits for gathering to complete, so it carries every host candidate and needs no STUN.
 */
export async function answerWhepOffer(
  offerSdp: string,
  tracks: MediaStreamTrack[],
  iceHosts: readonly string[] | null,
): Promise<WhepViewer> {
  const wrtc = await loadWrtc();
  const pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  try {
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: filterIceCandidates(offerSdp, iceHosts) });
    } catch (error) {
      throw new WhepOfferError(`The SDP offer was refused: ${messageOf(error).slice(0, 200)}`);
    }
    const stream = new wrtc.MediaStream();
    // After the offer, addTrack takes over the viewer's recvonly transceiver of the same kind.
    for (const track of tracks) pc.addTrack(track, stream);
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('No local description after the answer.');
    return { pc, answerSdp: filterIceCandidates(sdp, iceHosts) };
  } catch (error) {
    pc.close();
    throw error;
  }
}

function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHERING_TIMEOUT_MS);
    function done(): void {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    function check(): void {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** Why `sdp` is not a WHEP offer this renderer takes, as a sentence; null when it may be tried. */
export function checkWhepOffer(sdp: string): string | null {
  if (!sdp.startsWith('v=0') || !/\r?\nm=video /.test(sdp)) return 'The body is not an SDP offer with a video section.';
  const sections = sdp.match(/\r?\nm=/g)?.length ?? 0;
  if (sections > MAX_MEDIA_SECTIONS) {
    return `The SDP offer has ${sections} media sections; a WHEP viewer sends one video and one audio section (at most ${MAX_MEDIA_SECTIONS} are accepted).`;
  }
  return null;
}
