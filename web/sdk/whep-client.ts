import { AvatarApiError } from '../api/avatars-client.ts';

/**
 * What a viewer needs of POST /avatars/:id/sessions' answer: `whepUrl` and the viewer token. `token` (the agent's)
 * is accepted for callers written before viewer tokens; pass `viewerToken` so a page never holds a token that speaks.
 */
export interface LiveSessionTicket {
  whepUrl: string;
  viewerToken?: string;
  token?: string;
}

/** The token a viewer presents: the viewer token whenever there is one. */
export function viewerTokenOf(session: LiveSessionTicket): string {
  const token = session.viewerToken ?? session.token;
  if (!token) throw new AvatarApiError(0, { error: 'Watching a live session needs its viewerToken.', code: 'unauthorized' });
  return token;
}

/** A live session being watched: its audio and video, and a way to leave. */
export interface WhepViewer {
  stream: MediaStream;
  close(): Promise<void>;
}

/**
 * Watches a live session by the WHEP convention: a recvonly offer POSTed as application/sdp with
 * the session token as a Bearer token, the SDP answer back (non-trickle: candidates are gathered
 * before the offer goes out), and DELETE on the answer's Location to leave.
 */
export async function watchLiveSession(whepUrl: string, token: string): Promise<WhepViewer> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (event) => stream.addTrack(event.track);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 2000);
  });
  const response = await fetch(whepUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) {
    pc.close();
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new AvatarApiError(response.status, {
      error: body.error ?? `The live session refused the viewer (${response.status}).`,
      code: body.code ?? 'whep-refused',
    });
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  const location = response.headers.get('Location');
  const leaveUrl = location ? new URL(location, whepUrl).toString() : null;
  return {
    stream,
    async close() {
      pc.close();
      if (leaveUrl) await fetch(leaveUrl, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
    },
  };
}
