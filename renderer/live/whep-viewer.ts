import type { MediaStreamTrack, RTCPeerConnection } from '@roamhq/wrtc';
import { filterIceCandidates } from './ice-candidate-filter.ts';
import { loadWrtc } from './wrtc-binding.ts';

const GATHERING_TIMEOUT_MS = 3000;

export interface WhepViewer {
  readonly pc: RTCPeerConnection;
  readonly answerSdp: string;
}

/**
 * Answers a WHEP offer (the viewer's recvonly audio and video) with the session's tracks. No trickle ICE:
 * the answer waits for gathering to complete, so it carries every host candidate and needs no STUN.
 */
export async function answerWhepOffer(offerSdp: string, tracks: MediaStreamTrack[], iceHosts: readonly string[] | null): Promise<WhepViewer> {
  const wrtc = await loadWrtc();
  const pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: filterIceCandidates(offerSdp, iceHosts) });
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

/** A WHEP offer must at least look like SDP with a video section. */
export function looksLikeWhepOffer(sdp: string): boolean {
  return sdp.startsWith('v=0') && /\r?\nm=video /.test(sdp);
}
