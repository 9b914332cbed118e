import { Room } from '@livekit/rtc-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SECRET, startLiveRenderer } from '../renderer/live-renderer.ts';
import { TestAgent } from './livekit-agent.ts';
import { LIVEKIT_AVATAR } from '../../contract/livekit-avatar.ts';
import { WORDS_SEGMENT_ATTRIBUTE, WORDS_TOPIC } from '../../renderer/livekit/words-stream.ts';
import { type RunningLiveKit, roomToken, startLiveKit } from './livekit-server.ts';

/**
 * The agent's timed words on LiveKit (docs/livekit.md, "The agent's words"), against a real livekit-server and the real
 * renderer: the speech is a buzz with a quiet hiss where each word's m lies, which the audio alone reads as teeth
 * together (s), never as pressed lips, and the words are "ma"s, whose m presses them. So a frame with the lips pressed
 * (the debug mouth's consonants.pp) is the words' doing, and where it lies in the speech says which segment's words
 * drove it and when. (A silent gap would not do: the analyzer's lip detector reads silence after a voice as a closure.)
 */

const RATE = 24000;
let livekit: RunningLiveKit;
let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let counter = 0;
const rooms: Room[] = [];
const agents: TestAgent[] = [];

beforeAll(async () => {
  [livekit, live] = await Promise.all([startLiveKit(), startLiveRenderer({ MAX_SESSIONS: '2' })]);
}, 60_000);
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.leave().catch(() => {});
  for (const room of rooms.splice(0)) await room.disconnect().catch(() => {});
});
afterAll(async () => {
  await live?.stop();
  await livekit?.stop();
});

/**
 * A voice's buzz (a 120 Hz sawtooth), PCM16 LE at RATE, with 100 ms of a quiet hiss every 0.4 s from `from` on: where the
 * m of each word of `mas(from, ...)` lies. The words' m presses the lips only as far as the audio keeps the jaw nearly
 * shut, as a hiss does.
 */
function buzz(seconds: number, from = 0.2): Buffer {
  const pcm = Buffer.alloc(Math.round(seconds * RATE) * 2);
  let seed = 1;
  let last = 0;
  for (let i = 0; i < pcm.length / 2; i++) {
    const t = i / RATE;
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const white = seed / 2147483648 - 0.5;
    const hiss = 0.1 * (white - last); // white noise's first difference: its energy high up, as an s
    last = white;
    const closure = t >= from && (t - from) % 0.4 < 0.1;
    pcm.writeInt16LE(Math.round(32767 * (closure ? hiss : 0.3 * (((i * 120) / RATE) % 1) - 0.15)), i * 2);
  }
  return pcm;
}

/** "ma" every `every` seconds from `from`, each `length` long, until `until`. */
function mas(from: number, until: number, every = 0.4, length = 0.3): { word: string; start: number; end: number }[] {
  const words = [];
  for (let t = from; t + length <= until + 1e-9; t += every) words.push({ word: 'ma', start: round(t), end: round(t + length) });
  return words;
}
const round = (t: number) => Math.round(t * 1000) / 1000;

type Mouth = { type: 'mouth'; speechMs: number | null; open: number; consonants: Record<string, number> | null };

async function agentWithAvatar(): Promise<{ agent: TestAgent; sessionId: string; room: string }> {
  const room = `words-${++counter}`;
  const agent = await TestAgent.join(livekit.url, room);
  agents.push(agent);
  const sessionId = `words${counter}`;
  const created = await createSession(live.renderer.baseUrl, {
    sessionId,
    token: `token-${sessionId}-0123456789abcdef`,
    viewerToken: `viewer-${sessionId}-0123456789abcdef`,
    maxIdleSeconds: 30,
    livekit: { url: livekit.url, token: await agent.avatarToken(room, 'avatar-1', { debug: true }) },
  });
  expect(created).toMatchObject({ status: 201 });
  await expect.poll(() => agent.watched.frames > 0, { timeout: 10_000, message: 'the first frame' }).toBe(true);
  return { agent, sessionId, room };
}

/**
 * One segment as livekit-agents' DataStreamAudioOutput sends it, on a stream id of our choosing; `opened` runs once
 * the stream is open and its first chunk written.
 */
async function speakSegment(
  agent: TestAgent,
  streamId: string,
  pcm: Buffer,
  options: { speedup?: number; opened?: () => Promise<void> } = {},
): Promise<void> {
  const writer = await agent.room.localParticipant!.streamBytes({
    name: streamId,
    streamId,
    topic: LIVEKIT_AVATAR.audioStreamTopic,
    destinationIdentities: ['avatar-1'],
    attributes: { sample_rate: String(RATE), num_channels: '1' },
  });
  const chunk = (RATE / 50) * 2;
  const speedup = options.speedup ?? 4;
  const started = performance.now();
  for (let offset = 0, k = 1; offset < pcm.length; offset += chunk, k++) {
    await writer.write(pcm.subarray(offset, offset + chunk));
    if (k === 1) await options.opened?.();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (k * 20) / speedup - performance.now())));
  }
  await writer.close();
}

/** A words message on the avatar's topic, from `room`'s participant (the agent's by default). */
function sendWords(
  room: Room,
  streamId: string,
  body: unknown,
  attributes: Record<string, string> = { [WORDS_SEGMENT_ATTRIBUTE]: streamId },
): Promise<unknown> {
  return room.localParticipant!.sendText(typeof body === 'string' ? body : JSON.stringify(body), {
    topic: WORDS_TOPIC,
    attributes,
    destinationIdentities: ['avatar-1'],
  });
}

/** The debug mouths of the speech between `from` and `to` seconds (positions in the session's received speech). */
function mouthsBetween(agent: TestAgent, from: number, to: number, events = agent.debugEvents): Mouth[] {
  return (events.filter((e) => e.type === 'mouth') as Mouth[]).filter(
    (m) => m.speechMs !== null && m.speechMs >= from * 1000 && m.speechMs < to * 1000,
  );
}
/** Lips pressed (at least 0.6 of the way): the audio's hiss alone never does it (about 0.2), the words' m in it does. */
const pressed = (m: Mouth) => (m.consonants?.pp ?? 0) >= 0.6;

/** The words whose m a pressed frame falls in (its first half), by index; frames pressed outside every word count as -1. */
function pressedWords(mouths: Mouth[], origin: number, words: { start: number; end: number }[]): number[] {
  return mouths.filter(pressed).map((m) => {
    const t = m.speechMs! / 1000 - origin;
    return words.findIndex((w) => t >= w.start - 0.05 && t <= (w.start + w.end) / 2); // the press reaches 30 ms past the m
  });
}

describe("the agent's timed words on LiveKit (real livekit-server)", () => {
  it("presses the lips on the words' m at their times from their segment's start, whether the words come before, during or after its audio", async () => {
    const { agent } = await agentWithAvatar();
    const rid = (name: string) => `${name}-${counter}`;

    // Audio alone: a buzz and its hisses never press the lips.
    const plain = buzz(1.6);
    await speakSegment(agent, rid('plain'), plain);
    await agent.finishedNumber(1);
    let origin = 1.6;
    const alone = mouthsBetween(agent, 0, origin);
    expect(alone.length).toBeGreaterThan(20);
    expect(alone.filter(pressed)).toEqual([]);

    // Words first, then their segment's audio.
    const early = mas(0.2, 1.6);
    await sendWords(agent.room, rid('early'), { text: 'ma ma ma ma', words: early });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await speakSegment(agent, rid('early'), buzz(1.6));
    await agent.finishedNumber(2);
    const first = pressedWords(mouthsBetween(agent, origin, origin + 1.6), origin, early);
    origin += 1.6;

    // Words once the audio has begun to arrive (and is queued to play).
    const during = mas(0.4, 2);
    await speakSegment(agent, rid('during'), buzz(2, 0.4), {
      opened: async () => void (await sendWords(agent.room, rid('during'), { words: during })),
    });
    await agent.finishedNumber(3);
    const second = pressedWords(mouthsBetween(agent, origin, origin + 2), origin, during);
    origin += 2;

    // Words after the whole segment's audio has been sent: they still count from its first sample.
    const late = mas(0.8, 2.4);
    await speakSegment(agent, rid('late'), buzz(2.4, 0.8), { speedup: 8 });
    await sendWords(agent.room, rid('late'), { text: 'ma ma ma ma', words: late });
    await agent.finishedNumber(4);
    const third = pressedWords(mouthsBetween(agent, origin, origin + 2.4), origin, late);

    for (const [found, words] of [
      [first, early],
      [second, during],
      [third, late],
    ] as const) {
      // Every pressed frame is an m of the words, where the words put it...
      expect(found.every((w) => w >= 0)).toBe(true);
      // ...and (frames come every 40 ms, an m lasts about that long) nearly every m got one.
      expect(new Set(found).size).toBeGreaterThanOrEqual(words.length - 1);
    }
  });

  it("ignores words from anyone but the agent, refuses bad ones with a logged sentence, and never lets a cleared segment's words drive a later one", async () => {
    const { agent, sessionId, room } = await agentWithAvatar();
    const rid = (name: string) => `${name}-${counter}`;

    // Another participant's words for the agent's segment: the segment's audio alone.
    const intruder = new Room();
    rooms.push(intruder);
    await intruder.connect(livekit.url, await roomToken(room, 'intruder'), { autoSubscribe: false, dynacast: false });
    await sendWords(intruder, rid('a'), { words: mas(0.2, 1.6) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await speakSegment(agent, rid('a'), buzz(1.6));
    await agent.finishedNumber(1);
    expect(mouthsBetween(agent, 0, 1.6).length).toBeGreaterThan(12); // of 48: a loaded machine skips frames
    expect(mouthsBetween(agent, 0, 1.6).filter(pressed)).toEqual([]);

    // Bad words messages: each refused with a sentence in the log, the session going on.
    const before = live.renderer.stderr().length;
    await sendWords(agent.room, rid('b'), 'ma ma ma');
    await sendWords(agent.room, rid('b'), { words: [{ word: 'ma', start: 1, end: 0.5 }] });
    await sendWords(agent.room, rid('b'), { words: [{ word: 'ma', start: 0, end: 0.5 }] }, {});
    await expect
      .poll(() => live.renderer.stderr().slice(before).split('"event":"livekit-words-refused"').length - 1, {
        timeout: 5000,
        message: 'three log lines',
      })
      .toBe(3);
    const logged = live.renderer.stderr().slice(before);
    expect(logged).toMatch(/body must be a JSON object/);
    expect(logged).toMatch(/\[0\] ends before it starts/);
    expect(logged).toMatch(/no \\"avatars\.audio_stream_id\\" attribute/);
    const status = await fetch(`${live.renderer.baseUrl}/sessions/${sessionId}`, { headers: { Authorization: `Bearer ${SECRET}` } });
    expect(await status.json()).toMatchObject({ state: 'active' });

    // A segment with words over three seconds, cleared after about one; more words for it after the clear. The next
    // segment (audio only) starts where the cleared one's received speech ended, inside its words' times: none of them
    // press its lips.
    const cut = mas(0.2, 3);
    await sendWords(agent.room, rid('cut'), { words: cut });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = agent.debugEvents;
    const from = events.length;
    const sending = speakSegment(agent, rid('cut'), buzz(3), { speedup: 1 });
    await expect
      .poll(() => events.slice(from).some((e) => e.type === 'mouth' && pressed(e as Mouth)), {
        timeout: 5000,
        message: 'the words to press the lips',
      })
      .toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await agent.clearBuffer()).toBe('ok');
    expect(await agent.finishedNumber(2)).toMatchObject({ interrupted: true });
    await sendWords(agent.room, rid('cut'), { words: mas(0.2, 3) });
    await sending; // the rest of its audio is read and dropped
    const cleared = events.length;
    await speakSegment(agent, rid('after'), buzz(2));
    await agent.finishedNumber(3);
    const after = (events.slice(cleared).filter((e) => e.type === 'mouth') as Mouth[]).filter((m) => m.speechMs !== null);
    expect(after.length).toBeGreaterThan(20);
    expect(after.filter(pressed)).toEqual([]);
  });
});
