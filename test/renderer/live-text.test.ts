import { float32ToPcm16 } from '../../lipsync/pcm16.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speak } from '../../lipsync/truth/espeak-truth.ts';
import { wordTimings } from '../../lipsync/truth/held-out-text.ts';
import { bilabialSpans } from '../../lipsync/truth/score-visemes.ts';
import { createSession, SECRET, startLiveRenderer } from './live-renderer.ts';
import { type AgentEvent, connectAgent, type SpeechAgent } from './speech-agent.ts';

const RATE = 16000;
const START = { type: 'start', format: { encoding: 'pcm16', sampleRate: RATE, channels: 1 }, debug: true };

interface Mouth extends AgentEvent {
  speechMs: number | null;
  open: number;
  visemes: Record<string, number> | null;
  consonants: Record<string, number> | null;
}

let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let counter = 0;

async function startedAgent(): Promise<SpeechAgent & { id: string }> {
  const id = `text${++counter}`;
  const token = `token-${id}-0123456789abcdef`;
  const created = await createSession(baseUrl, { sessionId: id, token, viewerToken: `viewer-${id}-0123456789abcdef` });
  expect(created.status).toBe(201);
  const agent = await connectAgent(baseUrl, created.body.speechPath as string, token);
  agent.json(START);
  await agent.next('ready');
  return Object.assign(agent, { id });
}

const pcm16 = (samples: Float32Array): Buffer => Buffer.from(float32ToPcm16(samples));

beforeAll(async () => {
  live = await startLiveRenderer();
  baseUrl = live.renderer.baseUrl;
});
afterAll(async () => {
  await live?.stop();
});

describe("live sessions: the mouth follows the agent's words", () => {
  // A lead-in long enough that espeak-ng has phonemized the words (off the clock) before "mama" plays.
  const spoken = speak('Hello there, I am talking to you now. Mama!', { voice: 'en-us', sampleRate: RATE });
  const words = wordTimings(spoken);

  it('presses the lips on the m of "mama" and opens them on its vowel, from the words sent over the socket', async () => {
    const agent = await startedAgent();
    agent.json({ type: 'text', text: 'Hello there, I am talking to you now. Mama!', words });
    await agent.stream(pcm16(spoken.samples), RATE, { chunkMs: 40, pace: 1.5 });
    await agent.next('playback_finished');
    const mouths = agent.events.filter((e): e is Mouth => e.type === 'mouth' && e.speechMs !== null);
    const during = (from: number, to: number) =>
      mouths.filter((m) => m.speechMs! >= (from / RATE) * 1000 && m.speechMs! < (to / RATE) * 1000);
    const mama = words.at(-1)!;
    const ms = bilabialSpans(spoken, false).filter((s) => s.start >= mama.start * RATE);
    expect(ms).toHaveLength(2);
    for (const m of ms) {
      const frames = during(m.start, m.end);
      expect(frames.length).toBeGreaterThan(0);
      // Pressed as far as the audio is quiet there: a murmur is, nearly.
      expect(frames.some((f) => (f.consonants?.pp ?? 0) >= 0.75)).toBe(true);
    }
    // Between the two m's: the open "a" of "mama" (VRM's aa).
    const vowel = during(ms[0].end, ms[1].start).filter((f) => f.open > 0.4);
    expect(vowel.length).toBeGreaterThan(0);
    for (const f of vowel) expect(Object.entries(f.visemes!).sort((a, b) => b[1] - a[1])[0][0]).toBe('aa');
    agent.json({ type: 'end' });
    expect((await agent.closed).code).toBe(1000);
  });

  it.each([
    ['a word without its end', [{ word: 'mama', start: 0 }], /"words" \[0\]\.end must be a number of seconds/],
    [
      'words out of order',
      [
        { word: 'b', start: 1, end: 2 },
        { word: 'a', start: 0, end: 0.5 },
      ],
      /\[1\] starts before the word before it ends/,
    ],
    ['an unknown field', [{ word: 'mama', start: 0, end: 1, score: 1 }], /unknown field "score"/],
  ])('closes the agent with 4003 and an error for %s; the session lives on and its agent speaks again', async (_, bad, error) => {
    const agent = await startedAgent();
    agent.json({ type: 'text', text: 'mama', words: bad });
    const closed = await agent.closed;
    expect(closed.code).toBe(4003);
    expect(String(agent.events.find((e) => e.type === 'error')?.message)).toMatch(error);
    const id = agent.id;
    const back = await connectAgent(baseUrl, `/sessions/${id}/speech`, `token-${id}-0123456789abcdef`);
    back.json(START);
    await back.next('ready');
    back.json({ type: 'text', text: 'Mama!', words: [{ word: 'Mama!', start: 0, end: 0.4 }] });
    back.socket.send(pcm16(spoken.samples.subarray(0, RATE / 2)));
    await back.next('playback_finished');
    await fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect((await back.closed).code).toBe(1000);
  });
});
