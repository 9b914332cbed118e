// The live-session viewer: WHEP for video and audio, and the session's speech WebSocket for the sample sentence.
// `token` is the viewer token (it only watches); the speak button needs the agent token as `agentToken`, which a
// link meant for viewers never carries.
import { connectWhep } from './whep-viewer.js';

const params = new URLSearchParams(location.hash.slice(1));
const session = params.get('session') ?? '';
const token = params.get('token') ?? '';
const agentToken = params.get('agentToken') ?? '';
const video = document.getElementById('video');
const speakButton = document.getElementById('speak');
const status = document.getElementById('status');
const metrics = document.getElementById('metrics');
const errorLine = document.getElementById('error');
const base = `/api/v1/sessions/${encodeURIComponent(session)}`;
let agent = null;

const show = (text) => {
  status.textContent = text;
};
const fail = (text) => {
  errorLine.textContent = text;
};

async function watch() {
  const { pc, response } = await connectWhep(`${base}/whep`, token, video);
  if (response.status !== 201) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.error ?? `The viewer was refused (${response.status}).`);
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
  video.requestVideoFrameCallback(() => show('Watching: the avatar is idle.'));
  speakButton.disabled = !agentToken;
  followEnd(pc);
}

// A renderer that ends a session hangs up its viewers: the DTLS transport closes at once, and ICE gives up seconds
// later. Then (or when the network drops) the session's status tells an end from a hiccup; it is asked again every
// 3 s while the link stays down, as ICE may come back.
function followEnd(pc) {
  const dtls = pc.getReceivers()[0].transport;
  let pending = null;
  const linkDown = () => ['disconnected', 'failed'].includes(pc.connectionState) || dtls.state === 'closed';
  const askStatus = async () => {
    const answer = await fetch(`${base}/status`, { headers: { Authorization: `Bearer ${token}` } })
      .then((r) => r.json())
      .catch(() => ({}));
    if (answer.state !== 'ended') {
      pending = linkDown() ? setTimeout(askStatus, 3000) : null;
      return;
    }
    pc.close();
    speakButton.disabled = true;
    show(`The session ended (${answer.endReason}).`);
  };
  const onChange = () => {
    if (pending === null && linkDown()) pending = setTimeout(askStatus, 0);
  };
  pc.addEventListener('connectionstatechange', onChange);
  dtls.addEventListener('statechange', onChange);
}

function connectAgent() {
  return new Promise((resolve, reject) => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}${base}/speech?token=${encodeURIComponent(agentToken)}`);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send(JSON.stringify({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } }));
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.type === 'ready') resolve(socket);
      else if (event.type === 'playback_started') show('Speaking…');
      else if (event.type === 'playback_finished') show('Watching: the avatar is idle.');
      else if (event.type === 'metrics') {
        metrics.textContent =
          `first frame ${event.timeToFirstFrameMs ?? '–'} ms · ${event.fps ?? '–'} fps · ` +
          `audio→video p95 ${event.latencyMs?.p95 ?? '–'} ms · drift ${event.driftMs ?? '–'} ms`;
      } else if (event.type === 'error') fail(event.message);
    };
    socket.onclose = (event) => {
      agent = null;
      if (event.code !== 1000) fail(`The speech socket closed (${event.code}).`);
      reject(new Error('The speech socket closed before it was ready.'));
    };
  });
}

async function speak() {
  speakButton.disabled = true;
  try {
    agent ??= await connectAgent();
    const pcm = await (await fetch('/live/sample-sentence.pcm')).arrayBuffer();
    // Real time, in 40 ms chunks, as a text-to-speech stream would arrive.
    const chunk = 16000 * 2 * 0.04;
    for (let offset = 0; offset < pcm.byteLength && agent; offset += chunk) {
      agent.send(pcm.slice(offset, offset + chunk));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  } catch (error) {
    fail(error.message);
  } finally {
    speakButton.disabled = false;
  }
}

speakButton.hidden = !agentToken;

speakButton.addEventListener('click', speak);
document.getElementById('unmute').addEventListener('click', () => {
  video.muted = false;
});
if (!session || !token) fail('Add #session=<sessionId>&token=<token> to the address.');
else watch().catch((error) => fail(error.message));
