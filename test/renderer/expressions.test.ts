// Emotions on the portrait through the renderer's interfaces: the agent's `expression` message on a live session's
// speech socket (its frames come back on the socket), and POST /preview's `expression`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { HEADER_BYTES, MEDIA_KIND } from '../../renderer/live/frame-output.ts';
import { cornerMotion, landmarkBox, meanDifference } from './astronaut-portrait.ts';
import { createSession, SECRET, startLiveRenderer } from './live-renderer.ts';
import { decodeFrames } from './video-probe.ts';

const SIZE = 512;
let live: Awaited<ReturnType<typeof startLiveRenderer>>;
let baseUrl: string;

beforeAll(async () => {
  // Idle motion off: a preview without an emotion holds still, so any change is the emotion's (a live session's
  // listening face still nods a little).
  live = await startLiveRenderer({ RENDER_CONFIG: JSON.stringify({ resolution: `${SIZE}x${SIZE}`, frameRate: 25, idleMotion: false }) });
  baseUrl = live.renderer.baseUrl;
});
afterAll(async () => {
  await live?.stop();
});

type Box = [number, number, number, number];
const faceBox = (): Box => {
  const [x, y, w, h] = live.portrait.face.box;
  return [Math.floor(x), Math.floor(y), Math.ceil(x + w), Math.ceil(y + h)];
};
const mouthBox = (): Box =>
  landmarkBox(live.portrait.face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 12);

/** Mean absolute difference of two I420 frames' luma inside a box. */
function lumaDifference(a: Buffer, b: Buffer, box: Box): number {
  let sum = 0;
  for (let y = box[1]; y <= box[3]; y++) for (let x = box[0]; x <= box[2]; x++) sum += Math.abs(a[y * SIZE + x] - b[y * SIZE + x]);
  return sum / ((box[2] - box[0] + 1) * (box[3] - box[1] + 1));
}

/** The background's four 48-pixel corners: what neither an emotion nor the head's motion moves. */
const corners: Box[] = [
  [0, 0, 47, 47],
  [SIZE - 48, 0, SIZE - 1, 47],
  [0, SIZE - 48, 47, SIZE - 1],
  [SIZE - 48, SIZE - 48, SIZE - 1, SIZE - 1],
];

describe('emotions on a live session', () => {
  it('shows the agent\'s "expression" in the face, eased in, and neutral brings the idle face back', async () => {
    const id = 'emotions';
    const token = 'emotions-token-0123456789';
    expect((await createSession(baseUrl, { sessionId: id, token, viewerToken: 'emotions-viewer-0123456789' })).status).toBe(201);
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/sessions/${id}/speech?token=${token}`);
    const frames: Buffer[] = [];
    const events: { type: string }[] = [];
    socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) events.push(JSON.parse(data.toString()));
      else if (data.readUInt8(0) === MEDIA_KIND.i420) frames.push(data.subarray(HEADER_BYTES, HEADER_BYTES + SIZE * SIZE));
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const start = { type: 'start', format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 }, output: { video: 'i420', audio: false } };
    socket.send(JSON.stringify(start));
    /** The last frame once `count` more have come: at 25 fps, 15 frames are 0.6 s, past the 0.25 s ease. */
    const frameAfter = async (count: number) => {
      const from = frames.length;
      await expect.poll(() => frames.length, { timeout: 10_000, message: `${count} frames` }).toBeGreaterThanOrEqual(from + count);
      return frames.at(-1)!;
    };
    // The listening face nods a little between utterances, so frames are compared where an emotion shows and a nod
    // does not: the darkness of the mouth (a surprised face opens its jaw) and the background's corners.
    const mouth = mouthBox();
    const dark = (frame: Buffer) => {
      let count = 0;
      for (let y = mouth[1]; y <= mouth[3]; y++) for (let x = mouth[0]; x <= mouth[2]; x++) if (frame[y * SIZE + x] < 70) count++;
      return count;
    };
    const idle = await frameAfter(3);

    socket.send(JSON.stringify({ type: 'expression', name: 'surprised', intensity: 1 }));
    const surprised = await frameAfter(15);
    // Measured: 13 to 15 dark pixels idle, 71 surprised (the easing itself is expression-easing.test.ts's).
    expect(dark(surprised)).toBeGreaterThan(dark(idle) + 40);

    socket.send(JSON.stringify({ type: 'expression', name: 'sad', intensity: 0.7 }));
    const sad = await frameAfter(15);
    expect(dark(sad)).toBeLessThan(dark(surprised) - 30);

    socket.send(JSON.stringify({ type: 'expression', name: 'neutral' }));
    const back = await frameAfter(15);
    expect(Math.abs(dark(back) - dark(idle))).toBeLessThan(8);
    for (const corner of corners) expect(lumaDifference(idle, surprised, corner) + lumaDifference(idle, sad, corner)).toBe(0);
    expect(events.some((e) => e.type === 'error')).toBe(false);

    // A bad one closes the agent's socket with 4003 and a sentence; the session goes on.
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(JSON.stringify({ type: 'expression', name: 'ecstatic' }));
    expect(await closed).toBe(4003);
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      message: expect.stringMatching(/"name" must be one of neutral, happy/),
    });
    const status = await (await fetch(`${baseUrl}/sessions/${id}`, { headers: { Authorization: `Bearer ${SECRET}` } })).json();
    expect(status.state).toBe('active');
    await fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });
  }, 60_000);
});

describe('a starting expression and the expression route', () => {
  const mouthDark = (frame: Buffer) => {
    const mouth = mouthBox();
    let count = 0;
    for (let y = mouth[1]; y <= mouth[3]; y++) for (let x = mouth[0]; x <= mouth[2]; x++) if (frame[y * SIZE + x] < 70) count++;
    return count;
  };
  /** An agent socket on the session that collects its I420 frames' luma. */
  const frameSocket = async (id: string, token: string) => {
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/sessions/${id}/speech?token=${token}`);
    const frames: Buffer[] = [];
    socket.on('message', (data: Buffer, isBinary) => {
      if (isBinary && data.readUInt8(0) === MEDIA_KIND.i420) frames.push(data.subarray(HEADER_BYTES, HEADER_BYTES + SIZE * SIZE));
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({
        type: 'start',
        format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 },
        output: { video: 'i420', audio: false },
      }),
    );
    const frameAfter = async (count: number) => {
      const from = frames.length;
      await expect.poll(() => frames.length, { timeout: 10_000, message: `${count} frames` }).toBeGreaterThanOrEqual(from + count);
      return frames.at(-1)!;
    };
    return { socket, frames, frameAfter };
  };
  const setExpression = (id: string, token: string, body: unknown) =>
    fetch(`${baseUrl}/sessions/${id}/expression`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const end = (id: string) => fetch(`${baseUrl}/sessions/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${SECRET}` } });

  it("shows the session request's expression from the first frames, until the agent sets another", async () => {
    const token = 'starting-token-0123456789';
    const body = {
      sessionId: 'starting',
      token,
      viewerToken: 'starting-viewer-0123456789',
      expression: { name: 'surprised', intensity: 1 },
    };
    expect((await createSession(baseUrl, body)).status).toBe(201);
    const { socket, frames, frameAfter } = await frameSocket('starting', token);
    const first = await frameAfter(1);
    // Measured on this photo: 13 to 15 dark mouth pixels idle, 71 surprised; the first frame the agent sees is already in.
    expect(mouthDark(first)).toBeGreaterThan(50);
    expect(mouthDark(await frameAfter(15))).toBeGreaterThan(50);
    socket.send(JSON.stringify({ type: 'expression', name: 'neutral' }));
    expect(mouthDark(await frameAfter(15))).toBeLessThan(30);
    expect(frames.length).toBeGreaterThan(30);
    socket.close();
    await end('starting');
  }, 60_000);

  it('refuses a bad starting expression with 400 validation-failed and keeps no session', async () => {
    for (const [expression, sentence] of [
      [{ name: 'bored' }, /^expression.name must be one of neutral, happy/],
      [{ name: 'happy', intensity: 1.5 }, /^expression.intensity must be a number from 0 to 1/],
      [{ name: 'happy', intensity: null }, /^expression.intensity must be a number/],
      [{ name: 'happy', strength: 1 }, /^expression.strength is not a field/],
      ['happy', /^expression must be an object/],
    ] as const) {
      const answer = await createSession(baseUrl, {
        sessionId: 'bad-start',
        token: 'bad-start-token-0123456789',
        viewerToken: 'bad-start-viewer-0123456789',
        expression,
      });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation-failed', error: expect.stringMatching(sentence) } });
    }
    const status = await fetch(`${baseUrl}/sessions/bad-start`, { headers: { Authorization: `Bearer ${SECRET}` } });
    expect(status.status).toBe(404);
  });

  it('sets the expression over HTTP with the agent token (204); the viewer token is 403, a bad body 400, a wrong token 401', async () => {
    const token = 'route-token-0123456789';
    const viewerToken = 'route-viewer-0123456789';
    expect((await createSession(baseUrl, { sessionId: 'route', token, viewerToken })).status).toBe(201);
    const { socket, frameAfter } = await frameSocket('route', token);
    const idle = mouthDark(await frameAfter(3));

    expect((await setExpression('route', token, { name: 'surprised', intensity: 1 })).status).toBe(204);
    expect(mouthDark(await frameAfter(15))).toBeGreaterThan(idle + 40);

    const viewer = await setExpression('route', viewerToken, { name: 'sad' });
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({ code: 'forbidden', error: expect.stringMatching(/agent token/) });
    expect((await setExpression('route', 'not-this-session-token', { name: 'sad' })).status).toBe(401);
    expect((await setExpression('no-such-session', token, { name: 'sad' })).status).toBe(401);
    for (const [body, code, sentence] of [
      [{ name: 'ecstatic' }, 'validation-failed', /expression.name must be one of/],
      [{ name: 'sad', intensity: -1 }, 'validation-failed', /expression.intensity must be a number from 0 to 1/],
      ['{"name":', 'invalid-json', /not valid JSON/],
    ] as const) {
      const answer = await setExpression('route', token, body);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code, error: expect.stringMatching(sentence) });
    }
    // Nothing refused changed the face: it is still surprised.
    expect(mouthDark(await frameAfter(10))).toBeGreaterThan(idle + 40);
    socket.close();
    await end('route');
  }, 60_000);
});

describe('emotions on previews', () => {
  const preview = (body: unknown) =>
    fetch(`${baseUrl}/preview`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('renders the clip with the emotion asked for, and the same face without one or with neutral', async () => {
    const clip = async (body: unknown) => {
      const response = await preview(body);
      expect(response.status).toBe(200);
      return decodeFrames(Buffer.from(await response.arrayBuffer()), SIZE, SIZE);
    };
    const plain = await clip({ durationSeconds: 0.5 });
    const surprised = await clip({ durationSeconds: 0.5, expression: { name: 'surprised', intensity: 0.9 } });
    const neutral = await clip({ durationSeconds: 0.5, expression: { name: 'neutral' } });
    expect(surprised).toHaveLength(plain.length);
    const face = faceBox();
    // The emotion shows from the first frame to the last.
    for (const i of [0, plain.length - 1]) expect(meanDifference(plain[i], surprised[i], SIZE, face)).toBeGreaterThan(0.5);
    expect(meanDifference(plain[0], neutral[0], SIZE, face)).toBeLessThan(0.05);
    expect(cornerMotion([plain[0], surprised[0]], SIZE)).toBeLessThan(1);
  }, 60_000);

  it('answers 400 validation-failed for a bad expression', async () => {
    for (const [expression, sentence] of [
      [{ name: 'bored' }, /"name" must be one of/],
      [{ name: 'happy', intensity: 2 }, /"intensity" must be a number from 0 to 1/],
      [{ name: 'happy', strength: 1 }, /unknown field "strength"/],
      ['happy', /must be an object/],
    ] as const) {
      const response = await preview({ expression });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation-failed', error: expect.stringMatching(sentence) });
    }
  });
});
