import { describe, expect, it } from 'vitest';
import { liveServerPerSuite, twoLiveSessions } from '../../../harness/live-avatar.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { whepViewer } from '../../../harness/whep-viewer.ts';

// A browser watching over WHEP through this proxy while the agent speaks is in ../../live-sessions.test.ts; the
// renderer's own WHEP endpoint, in test/renderer/whep-viewer.test.ts.
describe('POST /api/v1/sessions/:id/whep', () => {
  const { server, owner } = liveServerPerSuite('org_live');

  describe('happy', () => {
    it("relays a viewer's offer to the session's container and its answer back, with this API's Location to end it", async () => {
      const { a } = await twoLiveSessions(server, owner);
      const viewer = await whepViewer();
      try {
        const answer = await fetch(a.whepUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp', authorization: `Bearer ${a.viewerToken}` },
          body: viewer.sdp,
        });
        expect(answer.status).toBe(201);
        expect(answer.headers.get('content-type')).toMatch(/^application\/sdp/);
        expect(answer.headers.get('access-control-allow-origin')).toBe('*');
        const location = answer.headers.get('location')!;
        expect(location).toMatch(new RegExp(`^/api/v1/sessions/${a.sessionId}/whep/[^/]+$`));
        // The container's real answer: the viewer connects and receives the avatar's video and audio.
        expect(await viewer.accept(await answer.text())).toEqual(['audio', 'video']);

        const end = (token: string) =>
          server.api('DELETE', location, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
        expect(await end(a.viewerToken)).toBe(204);
        expect(await end(a.viewerToken)).toBe(404);
      } finally {
        viewer.close();
      }
    }, 120_000);
  });

  describe('error', () => {
    it('refuses wrong tokens, tokens of another session, and bad WHEP requests', async () => {
      const { a, b } = await twoLiveSessions(server, owner);
      const whep = (token: string, body: string, type = 'application/sdp') =>
        server.api('POST', `/api/v1/sessions/${a.sessionId}/whep`, {
          raw: body,
          headers: { 'content-type': type, authorization: `Bearer ${token}` },
        });
      expectError(await whep('lst_wrong', 'v=0'), 401, 'unauthorized');
      expectError(await whep(b.token, 'v=0'), 401, 'unauthorized');
      expectError(await whep(a.token, '{}', 'application/json'), 415, 'unsupported-media-type');
      expect((await whep(a.token, 'not an offer')).status).toBe(400);
      expectError(await whep(b.viewerToken, 'v=0'), 401, 'unauthorized');
      // The real limits, in the design's shape.
      const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n';
      const huge = await whep(a.viewerToken, `${offer}${'a=x\r\n'.repeat(20_000)}`);
      expectError(huge, 413, 'payload-too-large');
      expect(huge.body.error).toBe('The request body is larger than the 64 KiB allowed.');
      const many = await whep(a.viewerToken, `${offer}${'m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'.repeat(500)}`);
      expectError(many, 400, 'validation-failed');
      expect(many.body.error).toMatch(/501 media sections/);
    }, 120_000);
  });
});
