import { voice } from '@livekit/agents';
import {
  AudioStream,
  ParticipantKind,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  TrackKind,
  VideoStream,
} from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyLiveAvatar } from '../../../test/harness/live-avatar.ts';
import { keyPerSuite, serverPerSuite } from '../../../test/harness/server-per-suite.ts';
import { API_KEY, API_SECRET, type RunningLiveKit, roomToken, startLiveKit } from '../../../test/livekit/livekit-server.ts';
import { espeakPcm16 } from '../../../test/renderer/espeak-speech.ts';
import { ATTRIBUTE_PUBLISH_ON_BEHALF, AvatarSession, AvatarsError, SAMPLE_RATE } from '../src/index.js';
import { iterate, speechFrames, until, useAgentsLogger, within } from './support.ts';

useAgentsLogger();

/** What the agent's room receives of the avatar: decoded video, and the loudness of its audio per 10 ms. */
class Watch {
  frames = 0;
  /** The largest frame decoded. */
  largest = { width: 0, height: 0 };
  readonly audio: { at: number; level: number }[] = [];

  constructor(room: Room) {
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => void this.consume(track));
  }

  /** Seconds from the first sound at or after `since` to the last one: how much of a segment the room heard. */
  heardSeconds(since: number): number {
    const sounding = this.audio.filter((a) => a.at >= since && a.level > SOUNDING);
    return sounding.length === 0 ? 0 : (sounding[sounding.length - 1].at - sounding[0].at) / 1000 + 0.01;
  }

  /** performance.now() of the first loud audio at or after `since`, or null. */
  heardSince(since: number): number | null {
    return this.audio.find((a) => a.at >= since && a.level > LOUD)?.at ?? null;
  }

  private async consume(track: RemoteTrack): Promise<void> {
    if (track.kind === TrackKind.KIND_VIDEO) {
      for await (const { frame } of iterate(new VideoStream(track))) {
        this.frames++;
        if (frame.width * frame.height > this.largest.width * this.largest.height)
          this.largest = { width: frame.width, height: frame.height };
      }
    } else if (track.kind === TrackKind.KIND_AUDIO) {
      for await (const frame of iterate(new AudioStream(track, 48000, 1))) {
        let sum = 0;
        for (const sample of frame.data) sum += Math.abs(sample);
        this.audio.push({ at: performance.now(), level: sum / Math.max(1, frame.data.length) });
      }
    }
  }
}

/** Mean absolute sample above which the avatar's audio is speech (its silence is zeros; espeak speaks at thousands). */
const LOUD = 300;
/** Above silence: the avatar's silence decodes to zeros (or ones), the quietest speech to more. */
const SOUNDING = 5;
/**
 * How long after the agent interrupts the room may still hear the avatar: the clear_buffer call's way there, and the
 * room's audio latency (WebRTC's jitter buffer, 150 to 200 ms measured here), for audio that had left before it.
 */
const QUIET_MS = 300;

/**
 * The plugin in a real agents-js AgentSession (no LLM, STT or TTS: `session.say(text, { audio })` speaks espeak-ng
 * speech, and `SpeechHandle.interrupt()` interrupts it, so the framework itself drives DataStreamAudioOutput's
 * flush() and clearBuffer()), against a real livekit-server and the real Avatars API deploying an on-demand portrait.
 */
describe('AvatarSession in a real agent session', () => {
  const server = serverPerSuite('sqlite');
  const owner = keyPerSuite(server, 'owner', 'org_plugin');
  let livekit: RunningLiveKit;
  beforeAll(async () => {
    livekit = await startLiveKit();
  });
  afterAll(() => livekit?.stop());

  it('joins the room for the agent, speaks its session, reports playback and interruptions, and leaves on aclose()', async () => {
    const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
    const [width, height] = (await server.api('GET', `/api/v1/avatars/${avatarId}`, { key: owner })).body.config.resolution
      .split('x')
      .map(Number);

    const room = new Room();
    const watch = new Watch(room);
    await room.connect(livekit.url, await roomToken('plugin-room', 'agent-1', { kind: 'agent' }), { autoSubscribe: true, dynacast: false });
    const session = new voice.AgentSession({
      vad: null,
      turnHandling: { turnDetection: null, interruption: { resumeFalseInterruption: false } },
    });
    const avatar = new AvatarSession({ avatarId, apiUrl: server.url, apiKey: owner.key, avatarParticipantIdentity: 'avatar-face' });
    try {
      // A token the LiveKit server refuses: the API's 400 with its sentence, and nothing left half-started.
      const refused = await avatar
        .start(session, room, { livekitUrl: livekit.url, livekitApiKey: API_KEY, livekitApiSecret: 'not-the-secret' })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(AvatarsError);
      expect(refused).toMatchObject({ status: 400, code: 'livekit-refused', retryable: false });
      expect((refused as AvatarsError).message).toMatch(/refused the avatar's token/);
      expect(avatar.sessionId).toBeNull();
      expect(session.output.audio).toBeNull();

      const sessionId = await within(
        avatar.start(session, room, { livekitUrl: livekit.url, livekitApiKey: API_KEY, livekitApiSecret: API_SECRET }),
        60_000,
        'avatar.start()',
      );
      expect(sessionId).toMatch(/^ses_/);
      expect(avatar.sessionId).toBe(sessionId);
      const output = session.output.audio;
      expect(output).toBeInstanceOf(voice.DataStreamAudioOutput);
      expect(output!.sampleRate).toBe(SAMPLE_RATE);
      const finished: { playbackPosition: number; interrupted: boolean; at: number }[] = [];
      output!.on('playbackFinished', (ev: voice.PlaybackFinishedEvent) => finished.push({ ...ev, at: performance.now() }));

      // The avatar is in the room (the API answers once it has joined; our room hears of it a moment later): an agent
      // participant speaking for ours.
      await until(() => room.remoteParticipants.has('avatar-face'), 5000, 'the avatar participant');
      const face = room.remoteParticipants.get('avatar-face') as RemoteParticipant;
      expect(face).toBeDefined();
      expect(face.kind).toBe(ParticipantKind.AGENT);
      expect(face.attributes[ATTRIBUTE_PUBLISH_ON_BEHALF]).toBe('agent-1');

      await session.start({
        agent: new voice.Agent({ instructions: 'Only speaks what the test says.' }),
        room,
        inputOptions: { audioEnabled: false },
        outputOptions: { audioEnabled: false },
      });
      await avatar.waitForJoin({ timeout: 10_000 });
      // The idle face, published at the avatar's size (what a subscriber decodes may start smaller while WebRTC
      // ramps its bitrate up: it reaches the full size further down).
      await until(() => watch.frames >= 10, 10_000, 'the idle face');
      const camera = [...face.trackPublications.values()].find((p) => p.kind === TrackKind.KIND_VIDEO);
      expect({ width: camera?.width, height: camera?.height }).toEqual({ width, height });

      const say = (text: string) => {
        const pcm = espeakPcm16(text, 24000);
        return { handle: session.say(text, { audio: speechFrames(pcm, 24000), addToChatCtx: false }), seconds: pcm.length / 2 / 24000 };
      };
      const nth = async (n: number) => {
        await until(() => finished.length >= n, 15_000, `playback_finished #${n}`);
        return finished[n - 1];
      };

      // 1. A whole segment: finished, not interrupted, at its length.
      const first = say('Hello! I am the face of your agent.');
      await within(first.handle.waitForPlayout(), 20_000, 'the first segment to play out');
      const one = await nth(1);
      expect(one.interrupted).toBe(false);
      expect(Math.abs(one.playbackPosition - first.seconds)).toBeLessThan(0.1);

      // 2. Interrupted part-way: the position is the audio the room heard, and the avatar goes quiet at once.
      const saidAt = performance.now();
      const long = say('This sentence is long enough to be cut off before its end, which is what we do to it now.');
      await until(() => watch.heardSince(saidAt) !== null, 10_000, 'the second segment to be heard');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const interruptedAt = performance.now();
      long.handle.interrupt();
      await within(long.handle.waitForPlayout(), 10_000, 'the interrupted segment');
      const two = await nth(2);
      expect(two.interrupted).toBe(true);
      expect(two.at - interruptedAt).toBeLessThan(500);
      expect(two.playbackPosition).toBeGreaterThan(0.9);
      expect(two.playbackPosition).toBeLessThan(long.seconds - 1);
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(Math.abs(two.playbackPosition - watch.heardSeconds(saidAt))).toBeLessThan(0.1);
      // What still arrives after the interruption is what was already on its way to us (the room's audio latency).
      expect(watch.audio.filter((a) => a.at > interruptedAt + QUIET_MS && a.level > LOUD)).toEqual([]);

      // 3. Interruptions in a row, each part-way through a segment at a different point, then speech that plays to
      // its end: interruptions never leave the avatar deaf.
      const rounds = 20;
      for (let i = 0; i < rounds; i++) {
        const since = performance.now();
        const cut = say(`Interruption number ${i + 1}, and this one is cut off in the middle.`);
        await until(() => watch.heardSince(since) !== null, 10_000, `segment ${i + 3} to be heard`);
        await new Promise((resolve) => setTimeout(resolve, 100 + 25 * i));
        cut.handle.interrupt();
        await within(cut.handle.waitForPlayout(), 10_000, `interrupted segment ${i + 3}`);
        const ev = await nth(i + 3);
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
        expect({ round: i + 1, interrupted: ev.interrupted }).toEqual({ round: i + 1, interrupted: true });
        expect(ev.playbackPosition).toBeLessThan(cut.seconds);
        expect(Math.abs(ev.playbackPosition - watch.heardSeconds(since))).toBeLessThan(0.1);
      }
      const lastSaidAt = performance.now();
      const last = say('And now I speak to the very end.');
      await within(last.handle.waitForPlayout(), 20_000, 'the last segment to play out');
      const final = await nth(rounds + 3);
      expect(final.interrupted).toBe(false);
      expect(Math.abs(final.playbackPosition - last.seconds)).toBeLessThan(0.1);
      expect(watch.heardSince(lastSaidAt)).not.toBeNull();
      expect(finished).toHaveLength(rounds + 3);
      expect(watch.largest).toEqual({ width, height });

      // The session as the API shows it, then aclose(): ended, and the avatar leaves the room.
      expect(await avatar.api.getSession(sessionId)).toMatchObject({
        state: 'active',
        transport: 'livekit',
        participantIdentity: 'avatar-face',
      });
      await avatar.aclose();
      expect(avatar.sessionId).toBeNull();
      await until(() => !room.remoteParticipants.has('avatar-face'), 5000, 'the avatar to leave');
      expect(await avatar.api.getSession(sessionId)).toMatchObject({ state: 'ended', endReason: 'deleted' });
      await avatar.aclose(); // twice is harmless
    } finally {
      await avatar.aclose().catch(() => {});
      await session.close().catch(() => {});
      await room.disconnect();
    }
  }, 90_000);
});
