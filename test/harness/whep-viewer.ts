// A WHEP viewer in Node (@roamhq/wrtc), for tests that need a real offer without a browser.

export interface WhepViewer {
  /** A receive-only offer for video and audio, its ICE candidates gathered, as a WHEP viewer posts it. */
  sdp: string;
  /** Takes the answer and resolves with the kinds of the tracks received once the connection is up. */
  accept(answer: string, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export async function whepViewer(): Promise<WhepViewer> {
  const wrtc = ((await import('@roamhq/wrtc')) as { default: typeof import('@roamhq/wrtc') }).default;
  const pc = new wrtc.RTCPeerConnection();
  const kinds: string[] = [];
  pc.ontrack = (event) => kinds.push(event.track.kind);
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  });
  return {
    sdp: pc.localDescription!.sdp,
    async accept(answer, timeoutMs = 10_000) {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      const deadline = Date.now() + timeoutMs;
      while (pc.connectionState !== 'connected') {
        if (Date.now() > deadline) throw new Error(`the WHEP connection is ${pc.connectionState} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return [...kinds].sort();
    },
    close: () => pc.close(),
  };
}
