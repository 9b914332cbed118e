import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { espeakPcm16 } from '../renderer/espeak-speech.ts';
import { createSession, SECRET, startLiveRenderer } from '../renderer/live-renderer.ts';
import { connectAgent } from '../renderer/speech-agent.ts';
import { TestAgent } from './livekit-agent.ts';
import { LIVEKIT_AVATAR } from '../../contract/livekit-avatar.ts';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { landmarkBox } from '../renderer/astronaut-portrait.ts';
import { API_KEY, API_SECRET, expiredRoomToken, type RunningLiveKit, roomToken, startLiveKit } from './livekit-server.ts';

let livekit: RunningLiveKit;
let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let speech24k: Buffer;
let counter = 0;
const agents: TestAgent[] = [];

beforeAll(async () => {
  [livekit, live] = await Promise.all([startLiveKit(), startLiveRenderer({ MAX_SESSIONS: '4' })]);
  baseUrl = live.renderer.baseUrl;
  speech24k = espeakPcm16('Hello there. I am the astronaut, and I am talking to you now.', 24000);
  mouthBox = landmarkBox(live.portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 12);
}, 60_000);
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.leave().catch(() => {});
});
afterAll(async () => {
  await live?.stop();
  await livekit?.stop();
});

/** An agent in a fresh room, and the avatar joined to it through the renderer's POST /sessions. */
async function agentWithAvatar(
  options: { debug?: boolean; reconnectGraceSeconds?: number } = {},
): Promise<{ agent: TestAgent; sessionId: string; room: string }> {
  const room = `room-${++counter}`;
  const agent = await TestAgent.join(livekit.url, room);
  agents.push(agent);
  const sessionId = `lk${counter}`;
  const created = await createSession(baseUrl, {
    sessionId,
    token: `token-${sessionId}-0123456789abcdef`,
    viewerToken: `viewer-${sessionId}-0123456789abcdef`,
    maxIdleSeconds: 30,
    reconnectGraceSeconds: options.reconnectGraceSeconds ?? 1,
    livekit: { url: livekit.url, token: await agent.avatarToken(room, 'avatar-1', options) },
  });
  expect(created).toMatchObject({ status: 201, body: { sessionId, participantIdentity: 'avatar-1' } });
  return { agent, sessionId, room };
}

async function status(sessionId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}/sessions/${sessionId}`, { headers: { Authorization: `Bearer ${SECRET}` } });
  return (await response.json()) as Record<string, unknown>;
}

/** Mean level of the avatar's audio that arrived in [from, to). */
function levelBetween(agent: TestAgent, from: number, to: number): number {
  const slots = agent.watched.audio.filter((a) => a.at >= from && a.at < to);
  return slots.reduce((sum, a) => sum + a.level, 0) / Math.max(1, slots.length);
}

/** The highest mean level of any half second between `from` and `to`, in steps of 100 ms. */
function loudestHalfSecond(agent: TestAgent, from: number, to: number): number {
  let loudest = 0;
  for (let t = from; t + 500 <= to; t += 100) loudest = Math.max(loudest, levelBetween(agent, t, t + 500));
  return loudest;
}

/** The avatar's frame size (the renderer's default resolution). */
const SIZE = 512;
/** The mouth of the astronaut photo, with a margin for the head's idle motion. */
let mouthBox: [number, number, number, number];

/** Dark pixels (luma under 70) in the mouth of a decoded frame: an open jaw shows the dark inside of the mouth. */
function darkInMouth(luma: Uint8Array): number {
  const [x0, y0, x1, y1] = mouthBox;
  let dark = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (luma[y * SIZE + x]! < 70) dark++;
  return dark;
}

describe('the renderer as a LiveKit avatar worker (real livekit-server)', () => {
  it('joins on behalf of the agent and publishes the idle face and audio at once, at the avatar size and frame rate', async () => {
    const { agent, sessionId } = await agentWithAvatar();
    await expect
      .poll(() => agent.room.remoteParticipants.has('avatar-1'), { timeout: 5000, message: 'the avatar to show in the room' })
      .toBe(true);
    expect(agent.room.remoteParticipants.get('avatar-1')?.attributes['lk.publish_on_behalf']).toBe('agent-1');
    await expect.poll(() => agent.watched.frames >= 10, { timeout: 10_000, message: 'ten idle frames' }).toBe(true);
    const info = (await (await fetch(`${baseUrl}/info`, { headers: { Authorization: `Bearer ${SECRET}` } })).json()) as {
      resolution: string;
    };
    expect(`${agent.watched.width}x${agent.watched.height}`).toBe(info.resolution);
    expect(await status(sessionId)).toMatchObject({ state: 'active', transport: 'livekit' });
    // Every frame drawn reaches the room: left to LiveKit's camera preset for this size, two in three did (20 of 30 fps).
    const drawn = async () => ((await status(sessionId)).metrics as { framesDrawn: number }).framesDrawn;
    const [drawn0, decoded0] = [await drawn(), agent.watched.frames];
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const [drawn1, decoded1] = [await drawn(), agent.watched.frames];
    expect((decoded1 - decoded0) / (drawn1 - drawn0)).toBeGreaterThan(0.85);
  });

  it('plays each segment and reports playback_finished with the position played', async () => {
    const { agent } = await agentWithAvatar();
    await expect.poll(() => agent.watched.frames > 0, { timeout: 10_000, message: 'the first frame' }).toBe(true);
    const seconds = speech24k.length / 2 / 24000;
    const sentAt = performance.now();
    await agent.speak(speech24k);
    const first = await agent.finishedNumber(1);
    expect(first.interrupted).toBe(false);
    expect(Math.abs(first.playback_position - seconds)).toBeLessThan(0.1);
    // It plays in real time: the call comes about the segment's length after the speech began, not when it was sent.
    expect(first.at - sentAt).toBeGreaterThan(seconds * 1000 - 100);
    expect(agent.started.length).toBeGreaterThanOrEqual(1);
    // The speech was heard in the room: louder while it played than after.
    expect(levelBetween(agent, sentAt + 300, sentAt + seconds * 1000 - 300)).toBeGreaterThan(
      5 * levelBetween(agent, first.at + 300, first.at + 800) + 10,
    );
    await agent.speak(speech24k.subarray(0, 24000)); // 0.5 s
    const second = await agent.finishedNumber(2);
    expect(second).toMatchObject({ interrupted: false });
    expect(Math.abs(second.playback_position - 0.5)).toBeLessThan(0.1);
  });

  it('clears at once on lk.clear_buffer, reports the interruption, and speaks again after twenty in a row', async () => {
    const { agent } = await agentWithAvatar();
    await expect.poll(() => agent.watched.frames > 0, { timeout: 10_000, message: 'the first frame' }).toBe(true);
    const seconds = speech24k.length / 2 / 24000;
    void agent.speak(speech24k);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const clearedAt = performance.now();
    expect(await agent.clearBuffer()).toBe('ok');
    const cut = await agent.finishedNumber(1);
    expect(cut.interrupted).toBe(true);
    expect(cut.playback_position).toBeGreaterThan(0.5);
    expect(cut.playback_position).toBeLessThan(seconds - 0.5);
    // Silence follows in the room (the mouth's own closing, on the next frame, is checked frame by frame below; the
    // network and the subscriber's jitter buffer add their delay, more on a loaded machine, hence the margin).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(levelBetween(agent, clearedAt + 1000, clearedAt + 1500)).toBeLessThan(50);

    for (let i = 0; i < 20; i++) {
      void agent.speak(speech24k, { speedup: 20 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await agent.clearBuffer()).toBe('ok');
    }
    await expect.poll(() => agent.finished.length >= 21, { timeout: 10_000, message: 'a playback_finished after every clear' }).toBe(true);
    expect(agent.finished.slice(1, 21).every((f) => f.interrupted)).toBe(true);
    // Streams cut by a clear play no further even as their last chunks arrive; the next segment plays in full.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = agent.finished.length;
    const sentAt = performance.now();
    await agent.speak(speech24k);
    const whole = await agent.finishedNumber(before + 1);
    expect(whole.interrupted).toBe(false);
    expect(Math.abs(whole.playback_position - seconds)).toBeLessThan(0.1);
    // Heard in the room: some half second of it louder than the silence once it had finished. The room hears it after
    // the network's and the subscriber's delay, which a loaded machine stretches: the loudest half second counts.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const quiet = levelBetween(agent, whole.at + 300, whole.at + 800);
    await expect
      .poll(() => loudestHalfSecond(agent, sentAt, performance.now()), { timeout: 10_000, message: 'the segment to be heard' })
      .toBeGreaterThan(5 * quiet + 10);
  });

  it('hands the room every 10 ms of speech as it plays, in step with the mouth, a stall of the renderer included', async () => {
    const { agent, sessionId } = await agentWithAvatar();
    const frames: { at: number; dark: number }[] = [];
    agent.onFrame = (luma, at) => frames.push({ at, dark: darkInMouth(luma) });
    await expect.poll(() => frames.length > 10, { timeout: 10_000, message: 'the first frames' }).toBe(true);
    // Idle first: the silence the session plays meanwhile must not queue up ahead of the speech.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const from = performance.now();
    const quiet = levelBetween(agent, from - 1000, from);
    const idleDark = Math.max(...frames.filter((f) => f.at >= from - 1000 && f.at < from).map((f) => f.dark));
    const spoken = agent.speak(speech24k, { speedup: 4 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // The first sound reaches the room with the first open mouth: measured from 28 ms before it (the mouth counts as
    // open a frame or two into the sound) to 48 ms after it, with this file's other sessions winding down; 33 to 98 ms
    // after it when LiveKit's 200 ms queue held the audio. The subscriber's own jitter buffers decide the rest.
    const seen = frames.find((f) => f.at >= from && f.dark > idleDark + 15);
    const heard = agent.watched.audio.find((a) => a.at >= from && a.level > Math.max(100, quiet * 10));
    expect(seen && heard).toBeTruthy();
    expect(heard!.at - seen!.at).toBeLessThan(100);
    // A loaded machine's stall, made sure: the renderer stops for 400 ms, then plays the 40 slots it owes at once.
    // LiveKit's queue refused what it had no room for (10 slots a run without the stall, 131 with it), and the room
    // never heard them; each refusal is logged now.
    const pid = live.renderer.child.pid!;
    process.kill(pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 400));
    process.kill(pid, 'SIGCONT');
    await spoken;
    expect((await agent.finishedNumber(1)).interrupted).toBe(false);
    expect(live.renderer.stderr()).not.toMatch(new RegExp(`"livekit-audio-dropped","sessionId":"${sessionId}"`));
  });

  it('moves the mouth with the speech as a WHEP session does, and closes it on the next frame after a clear', async () => {
    type Mouth = {
      type: string;
      atMs: number;
      speechMs: number | null;
      open: number;
      speaking: boolean;
      visemes: Record<string, number> | null;
    };
    const speaking = (events: Record<string, unknown>[]) =>
      (events.filter((e) => e.type === 'mouth') as Mouth[]).filter((m) => m.speaking && m.open > 0);
    // The same 24 kHz speech through the speech socket of a WHEP session, with its debug mouth events...
    await createSession(baseUrl, {
      sessionId: 'ws-mouth',
      token: 'token-ws-mouth-0123456789ab',
      viewerToken: 'viewer-ws-mouth-0123456789ab',
    });
    const socket = await connectAgent(baseUrl, '/sessions/ws-mouth/speech', 'token-ws-mouth-0123456789ab');
    socket.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 24000, channels: 1 }, debug: true });
    await socket.next('ready');
    // Both ahead of real time, as TTS sends it: the playout then never waits for speech, on a loaded machine either.
    await socket.stream(speech24k, 24000, { chunkMs: 20, pace: 4 });
    await socket.next('playback_finished');
    // ...and through the room, to an avatar whose token asked for them.
    const { agent } = await agentWithAvatar({ debug: true });
    await expect.poll(() => agent.watched.frames > 0, { timeout: 10_000, message: 'the first frame' }).toBe(true);
    await agent.speak(speech24k, { speedup: 4 });
    await agent.finishedNumber(1);
    const overWhep = speaking(socket.events as Record<string, unknown>[]);
    const overLiveKit = speaking(agent.debugEvents);
    expect(overLiveKit.length).toBeGreaterThan(30);
    // Frames paired by the place in the speech whose sound they show (both sessions got the same samples from their
    // start), so frames skipped or late under load pair with their own sound. The two frame clocks sample the speech
    // at different places: each WHEP frame is set against the LiveKit frames on either side of its place, the mouth
    // read between them, where no more than two frames are missing between the two.
    const pairs: { whep: Mouth; open: number; nearest: Mouth }[] = [];
    for (const m of overWhep) {
      const at = m.speechMs ?? Number.NaN;
      const after = overLiveKit.findIndex((k) => (k.speechMs ?? Number.NaN) >= at);
      const [a, b] = [overLiveKit[after - 1], overLiveKit[after]];
      if (!a || !b || a.speechMs === null || b.speechMs === null || b.speechMs - a.speechMs > 100) continue;
      const w = b.speechMs === a.speechMs ? 0 : (at - a.speechMs) / (b.speechMs - a.speechMs);
      pairs.push({ whep: m, open: a.open + (b.open - a.open) * w, nearest: w < 0.5 ? a : b });
    }
    // Most frames have LiveKit frames around their place. A loaded machine skips frames (a third of them under three
    // CPU hogs on two cores), and fewer pairs are found: as many as the LiveKit frames, give or take.
    expect(pairs.length).toBeGreaterThan(overLiveKit.length * 0.8);
    expect(
      correlation(
        pairs.map((p) => p.whep.open),
        pairs.map((p) => p.open),
      ),
    ).toBeGreaterThan(0.8);
    const top = (m: Mouth) => Object.entries(m.visemes ?? {}).sort((x, y) => y[1] - x[1])[0]?.[0];
    expect(pairs.filter((p) => top(p.whep) === top(p.nearest)).length / pairs.length).toBeGreaterThan(0.7);

    // A clear while the mouth is open: the first frame after it is closed.
    const before = agent.debugEvents.length;
    void agent.speak(speech24k, { speedup: 1 });
    await expect
      .poll(() => speaking(agent.debugEvents.slice(before)).length > 10, { timeout: 10_000, message: 'the mouth to open' })
      .toBe(true);
    await agent.clearBuffer();
    await agent.finishedNumber(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = agent.debugEvents.slice(before);
    const cut = after.findIndex((e) => e.type === 'interrupted');
    expect(cut).toBeGreaterThan(0);
    const next = after.slice(cut + 1).filter((e) => e.type === 'mouth') as Mouth[];
    expect(next.length).toBeGreaterThan(3);
    expect(next.every((m) => m.open === 0 && !m.speaking)).toBe(true);
    socket.json({ type: 'end' });
  });

  it('takes 16 kHz, 48 kHz and stereo, and refuses other formats clearly without stopping', async () => {
    const { agent, sessionId } = await agentWithAvatar();
    await expect.poll(() => agent.watched.frames > 0, { timeout: 10_000, message: 'the first frame' }).toBe(true);
    const half = speech24k.subarray(0, 24000); // 0.5 s at 24 kHz
    const at16k = espeakPcm16('Hello there.', 16000);
    await agent.speak(at16k, { sampleRate: 16000 });
    expect(Math.abs((await agent.finishedNumber(1)).playback_position - at16k.length / 2 / 16000)).toBeLessThan(0.1);
    const stereo48k = Buffer.alloc(half.length * 4);
    for (let i = 0; i < half.length / 2; i++) {
      const sample = half.readInt16LE(i * 2);
      for (let k = 0; k < 4; k++) stereo48k.writeInt16LE(sample, (i * 4 + k) * 2); // each sample twice in time, on both channels
    }
    await agent.speak(stereo48k, { sampleRate: 48000, channels: 2 });
    expect(Math.abs((await agent.finishedNumber(2)).playback_position - 0.5)).toBeLessThan(0.1);

    await agent.speak(half, { attributes: {} });
    expect(await agent.finishedNumber(3)).toMatchObject({ playback_position: 0, interrupted: true });
    await agent.speak(half, { sampleRate: 44100 });
    expect(await agent.finishedNumber(4)).toMatchObject({ playback_position: 0, interrupted: true });
    await agent.speak(half, { channels: 6 });
    expect(await agent.finishedNumber(5)).toMatchObject({ playback_position: 0, interrupted: true });
    // An RPC it does not know is LiveKit's own "unsupported method" error, and nothing else happens.
    await expect(
      agent.room.localParticipant!.performRpc({ destinationIdentity: 'avatar-1', method: 'lk.no_such_method', payload: '' }),
    ).rejects.toThrow(/not supported/i);
    await agent.speak(half);
    expect(await agent.finishedNumber(6)).toMatchObject({ interrupted: false });
    expect(await status(sessionId)).toMatchObject({ state: 'active' });
  });

  it('drops speech from anyone but its agent, and ends cleanly with such a stream still open', async () => {
    const { agent, sessionId, room } = await agentWithAvatar();
    const stranger = await TestAgent.join(livekit.url, room, 'agent-2');
    agents.push(stranger);
    await expect.poll(() => stranger.avatar?.identity, { message: 'the stranger to see the avatar' }).toBe('avatar-1');
    // At real time, so the stranger leaves in the middle of it; rtc-node then leaves the avatar's read of it open.
    const sentAt = performance.now();
    void stranger.speak(speech24k, { speedup: 1 }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stranger.leave();
    // Nothing of it was heard, and nothing finished: the agent's playback is not the stranger's.
    expect(loudestHalfSecond(agent, sentAt, performance.now())).toBeLessThan(50);
    expect(agent.finished).toEqual([]);
    await agent.speak(speech24k.subarray(0, 24000));
    expect(await agent.finishedNumber(1)).toMatchObject({ interrupted: false });

    // Leaving the room ends the stranger's stream, with an error when rtc-node's clean-up comes first; the renderer goes on.
    const ended = await fetch(`${baseUrl}/sessions/${sessionId}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(ended.status).toBe(204);
    await expect.poll(() => agent.room.remoteParticipants.has('avatar-1'), { message: 'the avatar to leave' }).toBe(false);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    expect(live.renderer.child.exitCode).toBeNull();
  });

  it('keeps the session while the agent rejoins within the grace: it hears that the segment it left was cut, and speaks on', async () => {
    const { agent, sessionId, room } = await agentWithAvatar({ reconnectGraceSeconds: 10 });
    void agent.speak(speech24k).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 800));
    await agent.leave();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await status(sessionId)).toMatchObject({ state: 'active' });
    const back = await TestAgent.join(livekit.url, room);
    agents.push(back);
    const cut = await back.finishedNumber(1);
    expect(cut.interrupted).toBe(true);
    expect(cut.playback_position).toBeGreaterThan(0);
    expect(cut.playback_position).toBeLessThan(speech24k.length / 2 / 24000);
    await back.speak(speech24k.subarray(0, 24000 * 2));
    expect(await back.finishedNumber(2)).toMatchObject({ interrupted: false });
    expect(await status(sessionId)).toMatchObject({ state: 'active' });
  });

  it('ends the session when the agent leaves without a word for the grace, or when the room closes mid-speech', async () => {
    const left = await agentWithAvatar();
    await left.agent.leave();
    await expect
      .poll(async () => (await status(left.sessionId)).state === 'ended', { timeout: 10_000, message: 'the session to end' })
      .toBe(true);
    expect(await status(left.sessionId)).toMatchObject({ state: 'ended', endReason: 'agent-left', transport: 'livekit' });

    const closed = await agentWithAvatar();
    void closed.agent.speak(speech24k).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 800));
    await new RoomServiceClient(livekit.url.replace(/^ws/, 'http'), API_KEY, API_SECRET).deleteRoom(closed.room);
    await expect
      .poll(async () => (await status(closed.sessionId)).state === 'ended', { timeout: 10_000, message: 'the session to end' })
      .toBe(true);
    expect(await status(closed.sessionId)).toMatchObject({ state: 'ended', endReason: 'room-closed' });
    // The renderer goes on: a new session joins another room.
    await agentWithAvatar();
  });

  it("shows the agent's lk.expression in the face, and logs and ignores a value it cannot read", async () => {
    const { agent, sessionId } = await agentWithAvatar();
    /**
     * Dark pixels in the mouth over the last 10 frames decoded, once 10 more have come: a surprised face opens its
     * jaw, which idle motion (it moves the head by pixels) and the codec do not darken. Measured: 10 to 12 idle,
     * 64 to 66 surprised.
     */
    const darkInRecentMouths = async (what: string): Promise<number> => {
      const from = agent.watched.frames;
      await expect.poll(() => agent.watched.frames - from, { timeout: 10_000, message: what }).toBeGreaterThanOrEqual(10);
      expect(agent.watched.width).toBe(SIZE);
      return agent.watched.lumas.slice(-10).reduce((sum, luma) => sum + darkInMouth(luma), 0) / 10;
    };
    /** Polls until the mouth's darkness passes `check` (the attribute goes through the LiveKit server first). */
    const mouthUntil = async (what: string, check: (dark: number) => boolean): Promise<number> => {
      for (let tries = 0; tries < 20; tries++) {
        const dark = await darkInRecentMouths(what);
        if (check(dark)) return dark;
      }
      throw new Error(`The mouth never showed ${what}.`);
    };
    const setExpression = (value: string) => agent.room.localParticipant!.setAttributes({ [LIVEKIT_AVATAR.expressionAttribute]: value });

    // The first frames a subscriber decodes can be dark (before the first key frame): measure past them.
    await expect.poll(() => agent.watched.frames, { timeout: 10_000, message: '30 idle frames' }).toBeGreaterThanOrEqual(30);
    const idle = Math.max(await darkInRecentMouths('idle frames'), await darkInRecentMouths('more idle frames'));
    expect(idle).toBeLessThan(40);
    await setExpression('surprised');
    await mouthUntil('a surprised face', (dark) => dark > idle + 30);

    // A value it cannot read: logged with a sentence, the face as it was, the session on.
    await setExpression('ecstatic:2');
    await expect
      .poll(() => live.renderer.stderr().includes('"event":"livekit-expression-refused"'), { timeout: 5000, message: 'the log line' })
      .toBe(true);
    expect(live.renderer.stderr()).toMatch(/"message":"The lk\.expression attribute \\"ecstatic:2\\" is not/);
    expect(await darkInRecentMouths('frames after the bad value')).toBeGreaterThan(idle + 30);
    expect(await status(sessionId)).toMatchObject({ state: 'active' });

    // Emptied (as LiveKit clears an attribute): the idle face again.
    await setExpression('');
    await mouthUntil('the idle face again', (dark) => dark < idle + 10);
  });

  it('answers a refused token with 400 and an unreachable server with 502, naming the cause but never the token', async () => {
    const agent = await TestAgent.join(livekit.url, 'room-bad');
    agents.push(agent);
    const base = { token: 'token-bad-0123456789abcdef', viewerToken: 'viewer-bad-0123456789abcdef' };
    const forged = await agent.avatarToken('room-bad', 'avatar-1', { secret: 'not-the-server-secret' });
    const refused = await createSession(baseUrl, { ...base, sessionId: 'bad1', livekit: { url: livekit.url, token: forged } });
    expect(refused).toMatchObject({
      status: 400,
      body: { code: 'livekit-refused', error: expect.stringMatching(/refused the avatar's token/) },
    });
    expect(JSON.stringify(refused.body)).not.toContain(forged.split('.')[2]);
    const expired = expiredRoomToken('room-bad', 'avatar-1', { 'lk.publish_on_behalf': 'agent-1' });
    const late = await createSession(baseUrl, { ...base, sessionId: 'bad5', livekit: { url: livekit.url, token: expired } });
    expect(late).toMatchObject({
      status: 400,
      body: { code: 'livekit-refused', error: expect.stringMatching(/refused the avatar's token/) },
    });
    const mute = await roomToken('room-bad', 'avatar-1', {
      kind: 'agent',
      canPublish: false,
      attributes: { 'lk.publish_on_behalf': 'agent-1' },
    });
    const silenced = await createSession(baseUrl, { ...base, sessionId: 'bad6', livekit: { url: livekit.url, token: mute } });
    expect(silenced).toMatchObject({
      status: 400,
      body: { code: 'livekit-refused', error: expect.stringMatching(/did not let the avatar publish/) },
    });
    await expect
      .poll(() => !agent.room.remoteParticipants.has('avatar-1'), { timeout: 5000, message: 'the avatar that could not publish to leave' })
      .toBe(true);
    const good = await agent.avatarToken('room-bad');
    const unreachable = await createSession(baseUrl, { ...base, sessionId: 'bad2', livekit: { url: 'ws://127.0.0.1:9', token: good } });
    expect(unreachable).toMatchObject({
      status: 502,
      body: { code: 'livekit-unreachable', error: expect.stringMatching(/could not be reached/) },
    });
    expect((await createSession(baseUrl, { ...base, sessionId: 'bad3', livekit: { url: 'ftp://x', token: good } })).status).toBe(400);
    expect((await createSession(baseUrl, { ...base, sessionId: 'bad4', livekit: { url: livekit.url, token: 'not a jwt' } })).status).toBe(
      400,
    );
    // None of them left a session behind.
    for (const id of ['bad1', 'bad2', 'bad5', 'bad6']) {
      expect((await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).status).toBe(404);
    }
  });
});

function correlation(a: number[], b: number[]): number {
  const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const [ma, mb] = [mean(a), mean(b)];
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
