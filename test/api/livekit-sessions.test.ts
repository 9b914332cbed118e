import { describe, expect, it } from 'vitest';
import { expectError } from '../harness/expect-error.ts';
import { closeCodeOf } from '../harness/socket-close.ts';
import { liveServerPerSuite, readyLiveAvatar } from '../harness/live-avatar.ts';
import { TestAgent } from '../livekit/livekit-agent.ts';
import { type RunningLiveKit, startLiveKit } from '../livekit/livekit-server.ts';
import { afterAll, beforeAll } from 'vitest';
import { espeakPcm16 } from '../renderer/espeak-speech.ts';

/**
 * LiveKit sessions through the API, as an agent's plugin starts them: a real livekit-server, the API deploying an
 * on-demand portrait, its rendering container joining the agent's room, and the session as a resource.
 */
describe('LiveKit sessions through the API', () => {
  const { server, owner } = liveServerPerSuite('org_livekit');
  let livekit: RunningLiveKit;
  let counter = 0;
  beforeAll(async () => {
    livekit = await startLiveKit();
  });
  afterAll(() => livekit?.stop());

  async function agentInRoom(): Promise<{ agent: TestAgent; room: string }> {
    const room = `api-room-${++counter}`;
    return { agent: await TestAgent.join(livekit.url, room), room };
  }

  it('starts an on-demand avatar in the agent room, speaks there, and ends by DELETE or when the agent leaves', async () => {
    const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
    const { agent, room } = await agentInRoom();
    try {
      const started = await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, {
        key: owner,
        body: { transport: 'livekit', livekit: { url: livekit.url, token: await agent.avatarToken(room) } },
      });
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({
        transport: 'livekit',
        participantIdentity: 'avatar-1',
        sessionId: expect.stringMatching(/^ses_/),
      });
      const id = started.body.sessionId as string;

      const speech = espeakPcm16('Hello from the agent.', 24000);
      await agent.speak(speech);
      const finished = await agent.finishedNumber(1);
      expect(finished.interrupted).toBe(false);
      expect(Math.abs(finished.playback_position - speech.length / 2 / 24000)).toBeLessThan(0.1);
      // The avatar's video reaches the room (on two loaded cores the agent's decoder may still be catching up).
      await expect.poll(() => agent.watched.frames, { timeout: 10_000, message: 'the avatar video in the room' }).toBeGreaterThan(10);

      const active = await server.api('GET', `/api/v1/sessions/${id}`, { key: owner });
      // The whole body on failure: an ended session's endReason says what ended it.
      expect(active.body, JSON.stringify(active.body)).toMatchObject({
        state: 'active',
        transport: 'livekit',
        participantIdentity: 'avatar-1',
      });
      expect(active.body.metrics.framesDrawn).toBeGreaterThan(10);
      expect(active.body.metrics.speechSeconds).toBeGreaterThan(0.5);
      const listed = await server.api('GET', `/api/v1/avatars/${avatarId}/sessions`, { key: owner });
      expect(listed.body.sessions[0]).toMatchObject({ _id: id, state: 'active' });

      // The speech socket of a LiveKit session is not where it hears the agent: 4005 says so.
      expect(await closeCodeOf(`${started.body.url}?token=${started.body.token}`)).toBe(4005);
      expect((await server.api('DELETE', `/api/v1/sessions/${id}`, { key: owner })).status).toBe(204);
      await expect.poll(() => agent.room.remoteParticipants.has('avatar-1'), { timeout: 5000, message: 'the avatar to leave' }).toBe(false);
      expect((await server.api('GET', `/api/v1/sessions/${id}`, { key: owner })).body).toMatchObject({
        state: 'ended',
        endReason: 'deleted',
      });

      // A second session in the same room; this time the agent goes without a word.
      const again = await server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, {
        key: owner,
        body: { transport: 'livekit', livekit: { url: livekit.url, token: await agent.avatarToken(room) } },
      });
      expect(again.status).toBe(201);
      await agent.leave();
      const seen = async () => (await server.api('GET', `/api/v1/sessions/${again.body.sessionId}`, { key: owner })).body;
      // After SESSION_RECONNECT_GRACE_SECONDS (3 s here) without its return.
      await expect.poll(seen, { timeout: 20_000, interval: 200 }).toMatchObject({ state: 'ended', endReason: 'agent-left' });
    } finally {
      await agent.leave().catch(() => {});
    }
  }, 120_000);

  it('refuses bad LiveKit input with a sentence, and leaves no session behind', async () => {
    const avatarId = await readyLiveAvatar(server, owner, 'realtime_lipsync');
    const { agent, room } = await agentInRoom();
    try {
      const token = await agent.avatarToken(room);
      const start = (body: unknown) => server.api('POST', `/api/v1/avatars/${avatarId}/sessions`, { key: owner, body });
      const missing = await start({ transport: 'livekit' });
      expectError(missing, 400, 'validation-failed');
      expect(missing.body.error).toMatch(/"livekit" is required/);
      expectError(await start({ livekit: { url: livekit.url, token } }), 400, 'validation-failed');
      expectError(await start({ transport: 'zoom' }), 400, 'validation-failed');
      expectError(await start({ transport: 'livekit', livekit: { url: livekit.url } }), 400, 'validation-failed');
      expectError(await start({ transport: 'livekit', livekit: { url: livekit.url, token, extra: 1 } }), 400, 'validation-failed');
      expectError(await start({ transport: 'livekit', livekit: { url: 'not a url', token } }), 400, 'validation-failed');

      const forged = await agent.avatarToken(room, 'avatar-1', { secret: 'not-the-server-secret' });
      const refused = await start({ transport: 'livekit', livekit: { url: livekit.url, token: forged } });
      expectError(refused, 400, 'livekit-refused');
      expect(refused.body.error).toMatch(/refused the avatar's token/);
      const unreachable = await start({ transport: 'livekit', livekit: { url: 'ws://127.0.0.1:9', token } });
      expectError(unreachable, 502, 'livekit-unreachable');
      expect((await server.api('GET', `/api/v1/avatars/${avatarId}/sessions`, { key: owner })).body.count).toBe(0);
      // The container is fine: a good session starts right after.
      expect((await start({ transport: 'livekit', livekit: { url: livekit.url, token } })).status).toBe(201);
    } finally {
      await agent.leave();
    }
  }, 120_000);
});
