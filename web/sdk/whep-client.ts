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
 *
 * `onEnded(reason)` is called once if the session ends while watched: when the link goes down (a renderer that ends
 * a session hangs up its viewers: DTLS closes at once, ICE seconds later) or the media ends, the session's status
 * (`.../sessions/<id>/status`, with the same token) says whether it ended, and why; while it is still on (ICE may
 * recover), it is asked again every 3 s for as long as the link stays down. Once it ended, the viewer is closed.
 */
export async function watchLiveSession(whepUrl: string, token: string, onEnded?: (reason: string) => void): Promise<WhepViewer> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  const stream = new MediaStream();
  const headers = { Authorization: `Bearer ${token}` };
  let waiting = false;
  // Down: ICE disconnected or failed, DTLS closed (at once when the renderer hangs up) or the media ended; never once
  // this side closed.
  const down = () =>
    pc.connectionState !== 'closed' &&
    (/^[df]/.test(pc.connectionState) || pc.getReceivers()[0].transport?.state === 'closed' || !stream.active);
  const check = async () => {
    if (waiting || !down()) return;
    waiting = true;
    const status = await fetch(whepUrl.replace(/whep$/, 'status'), { headers })
      .then((r) => r.json())
      .catch(() => ({}));
    if (status.state === 'ended' && down()) {
      pc.close();
      onEnded?.(status.endReason);
    } else
      setTimeout(() => {
        waiting = false;
        check();
      }, 3000);
  };
  pc.onconnectionstatechange = check;
  pc.ontrack = ({ track }) => {
    stream.addTrack(track);
    track.onended = check;
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 2000);
  });
  const response = await fetch(whepUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...headers },
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
  // The one (bundled) DTLS transport closes as soon as the renderer hangs up; ICE notices seconds later.
  pc.getReceivers()[0].transport!.onstatechange = check;
  const location = response.headers.get('Location');
  const leaveUrl = location ? new URL(location, whepUrl).href : null;
  return {
    stream,
    async close() {
      pc.close();
      if (leaveUrl) await fetch(leaveUrl, { method: 'DELETE', headers }).catch(() => undefined);
    },
  };
}
