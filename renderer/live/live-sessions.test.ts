import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espeakPcm16 } from './testing/espeak-speech.ts';
import { createSession, SECRET, startLiveRenderer } from './testing/live-renderer.ts';
import { connectAgent, type AgentEvent, type SpeechAgent } from './testing/speech-agent.ts';

const START = { type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, debug: true };

let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let speech: Buffer;
let counter = 0;

async function openSession(): Promise<{ id: string; token: string; speechPath: string }> {
  const id = `s${++counter}`;
  const token = `token-${id}-0123456789abcdef`;
  const created = await createSession(baseUrl, { sessionId: id, token, maxIdleSeconds: 30 });
  expect(created.status).toBe(201);
  return { id, token, speechPath: created.body.speechPath as string };
}

async function startedAgent(): Promise<SpeechAgent & { id: string }> {
  const session = await openSession();
  const agent = await connectAgent(baseUrl, session.speechPath, session.token);
  agent.json(START);
  await agent.next('ready');
  return Object.assign(agent, { id: session.id });
}

beforeAll(async () => {
  live = await startLiveRenderer({ MAX_SESSIONS: '3' });
  baseUrl = live.renderer.baseUrl;
  speech = espeakPcm16('Hello there. I am the astronaut, and I am talking to you now.');
});
afterAll(async () => {
  await live?.stop();
});

describe('live sessions: the internal contract', () => {
  it('creates a session with the secret and answers its paths', async () => {
    const created = await createSession(baseUrl, { sessionId: 'contract', token: 'contract-token-0123456789' });
    expect(created).toEqual({ status: 201, body: { sessionId: 'contract', speechPath: '/sessions/contract/speech', whepPath: '/sessions/contract/whep' } });
    expect((await createSession(baseUrl, { sessionId: 'contract', token: 'contract-token-0123456789' })).body.code).toBe('conflict');
    const deleted = await fetch(`${baseUrl}/sessions/contract`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(deleted.status).toBe(204);
    const again = await fetch(`${baseUrl}/sessions/contract`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(again.status).toBe(404);
  });

  it('refuses callers without the secret and bad bodies', async () => {
    expect((await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc' }, 'Bearer wrong-secret')).status).toBe(401);
    expect((await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc' }, 'Bearer contract-token-0123456789')).status).toBe(401);
    const short = await createSession(baseUrl, { sessionId: 'x', token: 'short' });
    expect(short).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect((await createSession(baseUrl, { sessionId: 'bad id!', token: 'x-token-0123456789abc' })).status).toBe(400);
    expect((await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc', maxIdleSeconds: 0 })).status).toBe(400);
    expect((await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc', color: 'red' })).status).toBe(400);
    const notJson = await fetch(`${baseUrl}/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` }, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${baseUrl}/sessions`, { headers: { Authorization: `Bearer ${SECRET}` } })).status).toBe(405);
  });

  it('answers 429 past MAX_SESSIONS and takes sessions again once one ends', async () => {
    const ids = ['full-1', 'full-2', 'full-3'];
    for (const sessionId of ids) expect((await createSession(baseUrl, { sessionId, token: `${sessionId}-token-0123456789` })).status).toBe(201);
    const over = await createSession(baseUrl, { sessionId: 'full-4', token: 'full-4-token-0123456789' });
    expect(over).toMatchObject({ status: 429, body: { code: 'too-many-sessions' } });
    await fetch(`${baseUrl}/sessions/full-1`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect((await createSession(baseUrl, { sessionId: 'full-4', token: 'full-4-token-0123456789' })).status).toBe(201);
    for (const id of ['full-2', 'full-3', 'full-4']) await fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
  });
});

describe('live sessions: the agent speaks', () => {
  it('plays streamed speech: playback events, an open mouth while it plays, sane metrics, a normal close on end', async () => {
    const agent = await startedAgent();
    await agent.stream(speech, 16000, { chunkMs: 40, pace: 1.5 });
    await agent.next('playback_finished');
    agent.json({ type: 'end' });
    const closed = await agent.closed;
    expect(closed.code).toBe(1000);
    const types = agent.events.map((e) => e.type).filter((t) => t !== 'mouth');
    expect(types.indexOf('ready')).toBeLessThan(types.indexOf('playback_started'));
    expect(types.indexOf('playback_started')).toBeLessThan(types.indexOf('playback_finished'));
    expect(types.at(-1)).toBe('ended');
    const metrics = agent.events.filter((e) => e.type === 'metrics').at(-1) as AgentEvent & Record<string, any>;
    expect(metrics.speechSeconds).toBeCloseTo(speech.length / 32000, 1);
    expect(metrics.framesDrawn).toBeGreaterThan(30);
    expect(metrics.latencyMs.p50).toBeGreaterThan(0);
    expect(metrics.latencyMs.p95).toBeGreaterThanOrEqual(metrics.latencyMs.p50);
    expect(Math.abs(metrics.driftMs)).toBeLessThan(40);
    expect(metrics.timeToFirstFrameMs).toBeNull(); // no viewer joined
    const mouths = agent.events.filter((e) => e.type === 'mouth') as (AgentEvent & { open: number; speaking: boolean })[];
    expect(Math.max(...mouths.map((m) => m.open))).toBeGreaterThan(0.4);
    expect(mouths.filter((m) => !m.speaking).every((m) => m.open === 0)).toBe(true);
  });

  it('interrupt drops buffered speech: the next frame has the mouth closed', async () => {
    const agent = await startedAgent();
    // Send a long answer at once, as a TTS ahead of real time would; interrupt while it plays.
    for (let o = 0; o < speech.length; o += 32000) agent.socket.send(speech.subarray(o, o + 32000));
    await agent.next('playback_started');
    await new Promise((r) => setTimeout(r, 900));
    agent.json({ type: 'interrupt' });
    const interrupted = await agent.next('interrupted');
    expect(interrupted.droppedMs as number).toBeGreaterThan(1000);
    const after = agent.events.indexOf(interrupted);
    await new Promise((r) => setTimeout(r, 300));
    const mouthsAfter = agent.events.slice(after).filter((e) => e.type === 'mouth') as (AgentEvent & { open: number; speaking: boolean })[];
    expect(mouthsAfter.length).toBeGreaterThan(3);
    expect(mouthsAfter.every((m) => m.open === 0 && !m.speaking)).toBe(true);
    const openBefore = agent.events.slice(0, after).filter((e) => e.type === 'mouth' && (e.open as number) > 0.2);
    expect(openBefore.length).toBeGreaterThan(0);
    expect(agent.events.some((e) => e.type === 'playback_finished')).toBe(false);
    agent.socket.close();
  });
});

describe('live sessions: bad input closes only the offending socket', () => {
  const cases: { name: string; code: number; error: RegExp; act(agent: SpeechAgent): void }[] = [
    { name: 'binary before start', code: 4002, error: /before the "start"/, act: (a) => a.socket.send(Buffer.alloc(320)) },
    { name: 'an undeclared sample rate', code: 4002, error: /16000 or 24000/, act: (a) => a.json({ ...START, format: { ...START.format, sampleRate: 44100 } }) },
    { name: 'stereo', code: 4002, error: /mono/, act: (a) => a.json({ ...START, format: { ...START.format, channels: 2 } }) },
    { name: 'a message that is not JSON', code: 4003, error: /JSON object/, act: (a) => a.socket.send('{oops') },
    { name: 'an unknown message type', code: 4003, error: /Unknown message type/, act: (a) => a.json({ type: 'dance' }) },
    { name: 'an oversized chunk', code: 4003, error: /at most 65536 bytes/, act: (a) => (a.json(START), a.socket.send(Buffer.alloc(70_000))) },
    { name: 'an odd-length chunk', code: 4002, error: /odd length/, act: (a) => (a.json(START), a.socket.send(Buffer.alloc(321))) },
  ];

  it('keeps a healthy session speaking while the others fail', async () => {
    const healthy = await startedAgent();
    for (const c of cases) {
      const session = await openSession();
      const agent = await connectAgent(baseUrl, session.speechPath, session.token);
      c.act(agent);
      const closed = await agent.closed;
      const error = agent.events.find((e) => e.type === 'error');
      expect({ name: c.name, code: closed.code, error: String(error?.message) }).toMatchObject({ name: c.name, code: c.code, error: expect.stringMatching(c.error) });
    }
    // A wrong token, another session's token, and an unknown session: 4001; the rightful session is untouched.
    const other = await openSession();
    for (const [path, token] of [[other.speechPath, 'wrong-token-0123456789'], [other.speechPath, `token-${healthy.id}-0123456789abcdef`], ['/sessions/nope/speech', other.token]]) {
      const intruder = await connectAgent(baseUrl, path, token);
      expect((await intruder.closed).code).toBe(4001);
      expect(intruder.events[0]).toMatchObject({ type: 'error' });
    }
    const second = await connectAgent(baseUrl, other.speechPath, other.token);
    second.json(START);
    await second.next('ready');
    const third = await connectAgent(baseUrl, other.speechPath, other.token);
    expect((await third.closed).code).toBe(4008);
    second.socket.close();

    healthy.socket.send(speech.subarray(0, 32000));
    await healthy.next('playback_finished');
    healthy.json({ type: 'end' });
    expect((await healthy.closed).code).toBe(1000);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });
});
