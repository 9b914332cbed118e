import { describe, expect, it } from 'vitest';
import { liveServerPerSuite, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { espeakPcm16 } from '../../../renderer/espeak-speech.ts';
import { connectAgent } from '../../../renderer/speech-agent.ts';
import { closeCodeOf, closedSocket } from '../../../harness/socket-close.ts';

// The agent speaking while a browser watches, and a flood cut off with 4009, are in ../../live-sessions.test.ts;
// the renderer's side of each close code, in test/renderer/live-sessions.test.ts.
describe('WebSocket /api/v1/sessions/:id/speech', () => {
  const { server, owner } = liveServerPerSuite('org_live');

  describe('happy', () => {
    it("joins the agent's socket to the session's container: ready, its speech played out, a clean end", async () => {
      const { a } = await twoLiveSessions(server, owner);
      const agent = await connectAgent(server.url, `/api/v1/sessions/${a.sessionId}/speech`, a.token);
      agent.json({ type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 } });
      expect(await agent.next('ready')).toMatchObject({ width: 512, height: 512, frameRate: 30 });
      await agent.stream(espeakPcm16('Hello there.'), 16000, { pace: 4 });
      await agent.next('playback_started', 20_000);
      await agent.next('playback_finished', 20_000);
      agent.json({ type: 'end' });
      expect((await agent.closed).code).toBe(1000);
    }, 120_000);
  });

  describe('error', () => {
    it('refuses wrong tokens, the viewer token and tokens of another session', async () => {
      const { a, b } = await twoLiveSessions(server, owner);
      expect(await closeCodeOf(`${a.url}?token=lst_wrong`)).toBe(4001);
      // The viewer token watches only: the speech socket refuses it with its own code.
      expect(await closedSocket(`${a.url}?token=${a.viewerToken}`)).toEqual({
        code: 4004,
        message: 'The viewer token only watches (WHEP); speaking needs the agent token.',
      });
      expect(await closeCodeOf(`${a.url}?token=${b.viewerToken}`)).toBe(4001);
      expect(await closeCodeOf(`${a.url}?token=${b.token}`)).toBe(4001);
      expect(await closeCodeOf(a.url)).toBe(4001);
      const unknown = await closedSocket(
        `${server.url.replace('http', 'ws')}/api/v1/sessions/ses_00000000000000000000/speech?token=${a.token}`,
      );
      expect(unknown).toEqual({ code: 4001, message: 'The session token is missing, wrong or expired.' });
    }, 120_000);
  });
});
