import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VIDEO_ID_PATTERN } from '../../../../contract/videos.ts';
import { PORTRAIT_FIXTURES } from '../../../fixtures.ts';
import { expectError } from '../../../harness/expect-error.ts';
import { securityTests } from '../../../harness/security.ts';
import { keyPerSuite, serverPerSuite } from '../../../harness/server-per-suite.ts';
import { STORE_KINDS } from '../../../harness/stores.ts';
import { audioSeconds, download, form, postForm, probe, spokenFile, videoFilesOf, waitForVideo } from '../../../videos/video-media.ts';

// Limits small enough to reach in a test: 200 characters of text, 6 s of speech, 1 MiB of audio.
const ENV = { VIDEO_MAX_TEXT_CHARS: '200', VIDEO_MAX_SECONDS: '6', VIDEO_MAX_AUDIO_MB: '1', VIDEO_MAX_IMAGE_MB: '1' };
const png = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

describe.each(STORE_KINDS)('POST /api/v1/avatars/:id/videos (%s)', (kind) => {
  const server = serverPerSuite(kind, ENV);
  const owner = keyPerSuite(server, 'u_video', 'org_video');
  const orb = async (extra: Record<string, unknown> = {}) =>
    (
      await server.api('POST', '/api/v1/avatars', {
        key: owner,
        body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb', config: { resolution: '256x256', frameRate: 24 }, ...extra },
      })
    ).body;
  const videosOf = async (avatarId: string) => (await server.api('GET', `/api/v1/avatars/${avatarId}/videos`, { key: owner })).body;
  /** A refused request leaves no job and no file. */
  const nothingLeft = async (avatarId: string) => {
    expect((await videosOf(avatarId)).count).toBe(0);
    expect(videoFilesOf(server, avatarId)).toEqual([]);
  };

  describe('happy', () => {
    it('queues an orb speaking a text (202) and renders it: an MP4 with H.264 and AAC, the avatar’s size and rate, as long as the speech', async () => {
      const a = await orb();
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        body: { text: 'Hello, I am a talking orb.' },
      });
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        avatarId: a._id,
        status: 'queued',
        progress: 0,
        url: null,
        source: 'text',
        width: 256,
        height: 256,
        frameRate: 24,
        error: null,
      });
      expect(answer.body._id).toMatch(VIDEO_ID_PATTERN);
      const done = await waitForVideo(server, owner, answer.body._id, (v) => v.status === 'completed' || v.status === 'failed');
      expect(done).toMatchObject({ status: 'completed', progress: 1, error: null, transparentUrl: null });
      const info = probe(await download(done.url));
      expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      const video = info.streams.find((s) => s.codec_type === 'video')!;
      expect([video.width, video.height, video.r_frame_rate]).toEqual([256, 256, '24/1']);
      expect(Math.abs(info.format.duration - done.durationSeconds)).toBeLessThanOrEqual(1 / 24 + 0.03);
    });

    it('takes the speech as a multipart upload (MP3 here), with an expression, a background colour and a transparent WebM', async () => {
      const a = await orb();
      const mp3 = spokenFile('One two three.', 'mp3');
      const answer = await postForm(
        server,
        owner,
        `/api/v1/avatars/${a._id}/videos`,
        form({ audio: mp3 }, { expression: '{"name":"happy","intensity":0.7}', background: '#102030', transparent: 'true' }),
      );
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({
        source: 'audio',
        transparent: true,
        expression: { name: 'happy', intensity: 0.7 },
        background: { color: '#102030' },
      });
      // Decoded to the video's speech: as long as the upload (MP3 pads a few ms).
      expect(Math.abs(answer.body.durationSeconds - audioSeconds(mp3))).toBeLessThan(0.1);
      const done = await waitForVideo(server, owner, answer.body._id, (v) => v.status === 'completed' || v.status === 'failed');
      expect(done.status).toBe('completed');
      const webm = probe(await download(done.transparentUrl));
      expect(webm.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp9']);
      expect((await videosOf(a._id)).videos.map((v: { _id: string }) => v._id)).toEqual([answer.body._id]);
    });

    it('decodes WAV, OGG/Opus, FLAC, M4A and WebM uploads', async () => {
      const a = await orb();
      for (const format of ['wav', 'ogg', 'flac', 'm4a', 'webm'] as const) {
        const file = spokenFile('Yes.', format);
        const answer = await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: file }));
        expect(answer.status, format).toBe(202);
        expect(Math.abs(answer.body.durationSeconds - audioSeconds(file)), format).toBeLessThan(0.1);
        expect((await server.api('DELETE', `/api/v1/videos/${answer.body._id}`, { key: owner })).status).toBe(204);
      }
    });
  });

  describe('error', () => {
    it('refuses a request with neither audio nor text, or both, with nothing left behind', async () => {
      const a = await orb();
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner }), 400, 'validation-failed');
      expectError(await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: {} }), 400, 'validation-failed');
      const both = await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: spokenFile('Hi.') }, { text: 'Hi' }));
      expectError(both, 400, 'validation-failed');
      await nothingLeft(a._id);
    });

    it('refuses text over the limit, empty text and an unknown voice', async () => {
      const a = await orb();
      const long = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'word '.repeat(60) } });
      expectError(long, 400, 'validation-failed');
      expect(long.body.details[0].path).toBe('text');
      expect(long.body.error).toContain('200');
      expectError(
        await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: '   ' } }),
        400,
        'validation-failed',
      );
      const voice = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi', voice: 'klingon' } });
      expectError(voice, 400, 'validation-failed');
      expect(voice.body.details[0].path).toBe('voice');
      await nothingLeft(a._id);
    });

    it('refuses a file that is not audio, an empty one, one longer than the limit, and one over the size limit', async () => {
      const a = await orb();
      const notAudio = await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: png }));
      expectError(notAudio, 422, 'invalid-source');
      expect(notAudio.body.error).toMatch(/not audio/);
      expectError(
        await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: Buffer.alloc(0) })),
        422,
        'invalid-source',
      );
      const text = Buffer.from('RIFF this is a text file pretending to be a WAV'.repeat(20));
      expectError(await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: text })), 422, 'invalid-source');
      const long = spokenFile(
        'This sentence is spoken for rather longer than six seconds, which is the limit these tests set for a video, so it is refused.',
      );
      const tooLong = await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: long }));
      expectError(tooLong, 400, 'validation-failed');
      expect(tooLong.body.error).toContain('6 s');
      const big = await postForm(
        server,
        owner,
        `/api/v1/avatars/${a._id}/videos`,
        form({ audio: Buffer.concat([spokenFile('Hi.'), Buffer.alloc(1024 * 1024)]) }),
      );
      expectError(big, 413, 'payload-too-large');
      await nothingLeft(a._id);
    });

    it('refuses a bad expression, background or field, a background image that is not one, and a text/plain body', async () => {
      const a = await orb();
      const call = (body: unknown) => server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body });
      expectError(await call({ text: 'Hi', expression: { name: 'bored' } }), 400, 'validation-failed');
      expectError(await call({ text: 'Hi', background: 'red' }), 400, 'validation-failed');
      expectError(await call({ text: 'Hi', speed: 2 }), 400, 'validation-failed');
      const wav = spokenFile('Hi.');
      expectError(
        await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav }, { expression: 'bored' })),
        400,
        'validation-failed',
      );
      expectError(
        await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav }, { transparent: 'yes' })),
        400,
        'validation-failed',
      );
      expectError(
        await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav }, { colour: '#000000' })),
        400,
        'validation-failed',
      );
      expectError(
        await postForm(server, owner, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav, backgroundImage: wav })),
        422,
        'invalid-source',
      );
      expectError(
        await postForm(
          server,
          owner,
          `/api/v1/avatars/${a._id}/videos`,
          form({ audio: wav, backgroundImage: png }, { background: '#000000' }),
        ),
        400,
        'validation-failed',
      );
      const huge = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'x'.repeat(2 * 1024 * 1024) } });
      expectError(huge, 413, 'payload-too-large');
      const plain = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        raw: 'hello',
        headers: { 'content-type': 'text/plain' },
      });
      expectError(plain, 415, 'unsupported-media-type');
      // A multipart body the parser cannot read (no boundary) is the client's error, not a 500; one cut short holds no field.
      const unreadable = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        raw: 'text=Hi',
        headers: { 'content-type': 'multipart/form-data' },
      });
      expectError(unreadable, 400, 'validation-failed');
      expect(unreadable.body.details[0].message).toMatch(/is not a readable multipart form/);
      const cut = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        raw: '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nHi',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
      expectError(cut, 400, 'validation-failed');
      await nothingLeft(a._id);
    });

    it('refuses an upload from a key without avatars:write (403) or of another organization (404) before reading it', async () => {
      const a = await orb();
      const reader = await server.makeKey('u_reader', 'org_video', ['avatars:read']);
      const stranger = await server.makeKey('u_stranger', 'org_other');
      const wav = spokenFile('Hi.');
      expectError(await postForm(server, reader, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav })), 403, 'scope-required');
      expectError(await postForm(server, stranger, `/api/v1/avatars/${a._id}/videos`, form({ audio: wav })), 404, 'not-found');
      await nothingLeft(a._id);
    });

    it('refuses a VRM avatar with no model (409)', async () => {
      const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'V', tier: 'stylized_3d' } })).body;
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi' } });
      expectError(answer, 409, 'conflict');
      expect(answer.body.error).toMatch(/no VRM model/);
      await nothingLeft(a._id);
    });

    it('refuses a portrait avatar that is not ready, one whose preprocessing failed, and a transparent portrait video or one with a background', async () => {
      const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'P', tier: 'animated_portrait' } })).body;
      const waiting = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi' } });
      expectError(waiting, 409, 'conflict');
      expect(waiting.body.error).toMatch(/status is creating/);
      await server.server.services.store.avatars.update(a._id, { status: 'failed', error: 'No face was found in the photo.' });
      const failed = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi' } });
      expectError(failed, 409, 'conflict');
      expect(failed.body.error).toMatch(/failed preprocessing \(No face was found in the photo\)/);
      const alpha = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hi', transparent: true } });
      expectError(alpha, 400, 'validation-failed');
      expect(alpha.body.error).toMatch(/person-segmentation model/);
      // The photo fills the frame: a background would never show, so it is refused rather than ignored.
      const behind = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, {
        key: owner,
        body: { text: 'Hi', background: '#102030' },
      });
      expectError(behind, 400, 'validation-failed');
      expect(behind.body.details).toEqual([{ path: 'background', message: expect.stringMatching(/photo itself, edge to edge/) }]);
      await nothingLeft(a._id);
    });
  });

  describe('security', () => {
    securityTests(() => server, 'POST /api/v1/avatars/:id/videos', { scope: 'avatars:write', avatar: 'visible', body: { text: 'Hi' } });
  });
});

describe('POST /api/v1/avatars/:id/videos on a server without espeak-ng', () => {
  const server = serverPerSuite('sqlite', { ESPEAK_PATH: '/nonexistent/espeak-ng' });
  const owner = keyPerSuite(server, 'u_no_tts', 'org_no_tts');

  describe('error', () => {
    it('answers 503 naming the missing program, with nothing left behind', async () => {
      const a = (
        await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb' } })
      ).body;
      const answer = await server.api('POST', `/api/v1/avatars/${a._id}/videos`, { key: owner, body: { text: 'Hello.' } });
      expectError(answer, 503, 'service-unavailable');
      expect(answer.body.error).toContain('/nonexistent/espeak-ng');
      expect((await server.api('GET', `/api/v1/avatars/${a._id}/videos`, { key: owner })).body.count).toBe(0);
      expect(videoFilesOf(server, a._id)).toEqual([]);
    });
  });
});
