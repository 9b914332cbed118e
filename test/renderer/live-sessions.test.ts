import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espeakPcm16 } from './espeak-speech.ts';
import { createSession, SECRET, startLiveRenderer } from './live-renderer.ts';
import { connectAgent, type AgentEvent, type SpeechAgent } from './speech-agent.ts';

const START = { type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, debug: true };

let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;
let speech: Buffer;
let counter = 0;

async function openSession(
  limits: Record<string, number> = {},
): Promise<{ id: string; token: string; viewerToken: string; speechPath: string }> {
  const id = `s${++counter}`;
  const token = `token-${id}-0123456789abcdef`;
  const viewerToken = `viewer-${id}-0123456789abcdef`;
  const created = await createSession(baseUrl, { sessionId: id, token, viewerToken, maxIdleSeconds: 30, ...limits });
  expect(created.status).toBe(201);
  return { id, token, viewerToken, speechPath: created.body.speechPath as string };
}

/** Connects with the agent token, sends `start` and waits for `ready`. */
async function agentOn(session: { speechPath: string; token: string }): Promise<SpeechAgent> {
  const agent = await connectAgent(baseUrl, session.speechPath, session.token);
  agent.json(START);
  await agent.next('ready');
  return agent;
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
    const body = { sessionId: 'contract', token: 'contract-token-0123456789', viewerToken: 'contract-viewer-0123456789' };
    const created = await createSession(baseUrl, body);
    expect(created).toEqual({
      status: 201,
      body: { sessionId: 'contract', speechPath: '/sessions/contract/speech', whepPath: '/sessions/contract/whep' },
    });
    expect((await createSession(baseUrl, body)).body.code).toBe('conflict');
    const deleted = await fetch(`${baseUrl}/sessions/contract`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(deleted.status).toBe(204);
    const again = await fetch(`${baseUrl}/sessions/contract`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(again.status).toBe(404);
  });

  it('refuses callers without the secret and bad bodies', async () => {
    expect((await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc' }, 'Bearer wrong-secret')).status).toBe(401);
    expect(
      (await createSession(baseUrl, { sessionId: 'x', token: 'x-token-0123456789abc' }, 'Bearer contract-token-0123456789')).status,
    ).toBe(401);
    const good = { sessionId: 'x', token: 'x-token-0123456789abc', viewerToken: 'x-viewer-0123456789abc' };
    const short = await createSession(baseUrl, { ...good, token: 'short' });
    expect(short).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect((await createSession(baseUrl, { ...good, sessionId: 'bad id!' })).status).toBe(400);
    expect((await createSession(baseUrl, { ...good, maxIdleSeconds: 0 })).status).toBe(400);
    expect((await createSession(baseUrl, { ...good, color: 'red' })).status).toBe(400);
    // Both tokens are required and must differ: the viewer token must never be one that speaks.
    const { viewerToken: _, ...agentOnly } = good;
    expect(await createSession(baseUrl, agentOnly)).toMatchObject({
      status: 400,
      body: { code: 'validation-failed', error: expect.stringMatching(/viewerToken/) },
    });
    expect(await createSession(baseUrl, { ...good, viewerToken: good.token })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/differ/) },
    });
    expect(await createSession(baseUrl, { ...good, maxQueuedSpeechSeconds: 0 })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/maxQueuedSpeechSeconds/) },
    });
    const notJson = await fetch(`${baseUrl}/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${SECRET}` }, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await fetch(`${baseUrl}/sessions`, { headers: { Authorization: `Bearer ${SECRET}` } })).status).toBe(405);
  });

  it('answers 429 past MAX_SESSIONS and takes sessions again once one ends', async () => {
    const ids = ['full-1', 'full-2', 'full-3'];
    const body = (sessionId: string) => ({
      sessionId,
      token: `${sessionId}-token-0123456789`,
      viewerToken: `${sessionId}-viewer-0123456789`,
    });
    for (const sessionId of ids) expect((await createSession(baseUrl, body(sessionId))).status).toBe(201);
    const over = await createSession(baseUrl, body('full-4'));
    expect(over).toMatchObject({ status: 429, body: { code: 'too-many-sessions' } });
    await fetch(`${baseUrl}/sessions/full-1`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect((await createSession(baseUrl, body('full-4'))).status).toBe(201);
    for (const id of ['full-2', 'full-3', 'full-4'])
      await fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
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
    // Closing the socket would leave the session to its idle limit: end it, freeing its place under MAX_SESSIONS.
    await fetch(`${baseUrl}/sessions/${agent.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect((await agent.closed).code).toBe(1000);
  });
});

describe('live sessions: bad input closes only the agent connection, never the session', () => {
  const cases: { name: string; code: number; error: RegExp; act(agent: SpeechAgent): void }[] = [
    { name: 'binary before start', code: 4002, error: /before the "start"/, act: (a) => a.socket.send(Buffer.alloc(320)) },
    {
      name: 'an undeclared sample rate',
      code: 4002,
      error: /16000 or 24000/,
      act: (a) => a.json({ ...START, format: { ...START.format, sampleRate: 44100 } }),
    },
    { name: 'stereo', code: 4002, error: /mono/, act: (a) => a.json({ ...START, format: { ...START.format, channels: 2 } }) },
    { name: 'a message that is not JSON', code: 4003, error: /JSON object/, act: (a) => a.socket.send('{oops') },
    { name: 'an unknown message type', code: 4003, error: /Unknown message type/, act: (a) => a.json({ type: 'dance' }) },
    { name: 'a second start', code: 4003, error: /already started/, act: (a) => (a.json(START), a.json(START)) },
    {
      name: 'an oversized chunk',
      code: 4003,
      error: /at most 65536 bytes/,
      act: (a) => (a.json(START), a.socket.send(Buffer.alloc(70_000))),
    },
    { name: 'an odd-length chunk', code: 4002, error: /odd length/, act: (a) => (a.json(START), a.socket.send(Buffer.alloc(321))) },
  ];

  it("closes the agent with each bad input's code; the session lives on, its agent comes back and speaks", async () => {
    const healthy = await startedAgent();
    const session = await openSession();
    for (const c of cases) {
      const agent = await connectAgent(baseUrl, session.speechPath, session.token);
      c.act(agent);
      const closed = await agent.closed;
      const error = agent.events.find((e) => e.type === 'error');
      expect({ name: c.name, code: closed.code, error: String(error?.message) }).toMatchObject({
        name: c.name,
        code: c.code,
        error: expect.stringMatching(c.error),
      });
    }
    // Every failure above was on the same session: it is still there for its agent.
    const back = await agentOn(session);
    back.socket.send(speech.subarray(0, 32000));
    await back.next('playback_finished');
    back.json({ type: 'end' });
    expect((await back.closed).code).toBe(1000);
    // "end" does end the session: its token opens nothing any more.
    expect((await (await connectAgent(baseUrl, session.speechPath, session.token)).closed).code).toBe(4001);

    healthy.socket.send(speech.subarray(0, 32000));
    await healthy.next('playback_finished');
    healthy.json({ type: 'end' });
    expect((await healthy.closed).code).toBe(1000);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
  });

  it('refuses wrong tokens with 4001 and the viewer token with 4004; the agent speaks on', async () => {
    const session = await openSession();
    const other = await openSession();
    const agent = await agentOn(session);
    for (const [path, token] of [
      [session.speechPath, 'wrong-token-0123456789'],
      [session.speechPath, other.token],
      ['/sessions/nope/speech', session.token],
    ]) {
      const intruder = await connectAgent(baseUrl, path, token);
      expect((await intruder.closed).code).toBe(4001);
      expect(intruder.events[0]).toMatchObject({ type: 'error' });
    }
    const viewer = await connectAgent(baseUrl, session.speechPath, session.viewerToken);
    expect((await viewer.closed).code).toBe(4004);
    expect(viewer.events).toEqual([{ type: 'error', message: expect.stringMatching(/viewer token only watches/) }]);
    agent.socket.send(speech.subarray(0, 32000));
    await agent.next('playback_finished');
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    await fetch(`${baseUrl}/sessions/${session.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
    expect(await agent.closed).toEqual({ code: 1000, reason: 'deleted' });
    await fetch(`${baseUrl}/sessions/${other.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
  });

  it('lets a second agent connection take over: the first closes with 4008 and the queued speech plays on', async () => {
    const session = await openSession();
    const first = await agentOn(session);
    first.socket.send(speech.subarray(0, 64000)); // 2 s ahead of real time
    await first.next('playback_started');
    const second = await connectAgent(baseUrl, session.speechPath, session.token);
    expect((await first.closed).code).toBe(4008);
    expect(first.events.find((e) => e.type === 'error')?.message).toMatch(/took this session over/);
    second.json(START);
    await second.next('ready');
    // The utterance the first connection queued finishes on the second one's events.
    await second.next('playback_finished');
    second.json({ type: 'end' });
    expect((await second.closed).code).toBe(1000);
  });

  it('closes an agent that queues more than maxQueuedSpeechSeconds with 4009; back, it hears that its speech was dropped', async () => {
    const session = await openSession({ maxQueuedSpeechSeconds: 2 });
    const agent = await agentOn(session);
    agent.socket.send(speech.subarray(0, 48000)); // 1.5 s
    agent.socket.send(speech.subarray(48000, 80000)); // 1 s more: 2.5 s queued, over the 2 s cap
    expect((await agent.closed).code).toBe(4009);
    expect(agent.events.find((e) => e.type === 'error')?.message).toMatch(/More than 2 s of speech is queued/);
    const back = await agentOn(session);
    // What it had queued (1.5 s, less what played before the close) did not play: the agent hears so after `ready`.
    const cut = await back.next('playback_finished');
    expect(cut).toMatchObject({ interrupted: true });
    expect(cut.droppedMs as number).toBeGreaterThan(500);
    expect(cut.droppedMs as number).toBeLessThanOrEqual(1500);
    const metrics = await back.next('metrics');
    expect(metrics.queuedMs).toBe(0);
    expect(metrics.speechSeconds).toBe(1.5);
    back.json({ type: 'end' });
    expect((await back.closed).code).toBe(1000);
  });
});

describe('live sessions: the agent reconnects', () => {
  const status = async (id: string) =>
    (await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).json() as Promise<AgentEvent>;

  it('keeps the session while a dropped agent comes back within the grace; its queued speech is reported as interrupted', async () => {
    const session = await openSession({ reconnectGraceSeconds: 5 });
    const agent = await agentOn(session);
    agent.socket.send(speech.subarray(0, 64000)); // 2 s ahead of real time
    agent.socket.send(speech.subarray(64000, 96000));
    await agent.next('playback_started');
    agent.socket.terminate(); // the connection is cut: no close frame
    await agent.closed;
    expect(await status(session.id)).toMatchObject({ state: 'active' });
    const back = await agentOn(session);
    const cut = await back.next('playback_finished');
    expect(cut).toMatchObject({ type: 'playback_finished', interrupted: true });
    expect(cut.droppedMs as number).toBeGreaterThan(1000);
    expect(back.events.map((e) => e.type).slice(0, 2)).toEqual(['ready', 'playback_finished']);
    // It speaks again: a new utterance, which plays to its end.
    back.events.length = 0;
    back.socket.send(speech.subarray(0, 16000));
    await back.next('playback_started');
    expect(await back.next('playback_finished')).toEqual({ type: 'playback_finished', interrupted: false });
    back.json({ type: 'end' });
    expect(await back.closed).toEqual({ code: 1000, reason: 'end' });
  });

  it('ends the session with agent-left when the agent does not come back within reconnectGraceSeconds', async () => {
    const session = await openSession({ reconnectGraceSeconds: 1 });
    const agent = await agentOn(session);
    agent.socket.terminate();
    await agent.closed;
    await expect
      .poll(() => status(session.id), { timeout: 5000, interval: 200 })
      .toMatchObject({ state: 'ended', endReason: 'agent-left' });
    expect((await (await connectAgent(baseUrl, session.speechPath, session.token)).closed).code).toBe(4001);
  });

  it('refuses a grace outside 1..600 s', async () => {
    const good = { sessionId: 'grace', token: 'grace-token-0123456789', viewerToken: 'grace-viewer-0123456789' };
    for (const reconnectGraceSeconds of [0, 601, 'soon']) {
      expect(await createSession(baseUrl, { ...good, reconnectGraceSeconds })).toMatchObject({
        status: 400,
        body: { code: 'validation-failed', error: expect.stringMatching(/reconnectGraceSeconds/) },
      });
    }
  });

  it('plays out the speech of an agent that asked to end, even if its connection then drops', async () => {
    const session = await openSession({ reconnectGraceSeconds: 1 });
    const agent = await agentOn(session);
    agent.socket.send(speech.subarray(0, 64000)); // 2 s
    agent.json({ type: 'end' });
    await agent.next('playback_started');
    const cutAt = Date.now();
    agent.socket.terminate();
    await expect.poll(() => status(session.id), { timeout: 10_000, interval: 200 }).toMatchObject({ state: 'ended', endReason: 'end' });
    // It ended once the 2 s had played, not at the drop.
    expect(Date.parse((await status(session.id)).endedAt as string) - cutAt).toBeGreaterThan(1500);
  });
});
