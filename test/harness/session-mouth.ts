import WebSocket from 'ws';
import { expect } from 'vitest';
import { MOUTH } from '../../renderer/engine/landmark-indices.ts';
import { HEADER_BYTES, MEDIA_KIND } from '../../renderer/live/frame-output.ts';
import type { FaceGeometry } from '../../src/sources/portrait/portrait-types.ts';
import { landmarkBox } from '../renderer/astronaut-portrait.ts';
import type { TestServer } from './test-server.ts';

/**
 * A live session's face as its agent sees it through the API: the agent socket asks for its frames (I420) and counts
 * the dark pixels of the mouth, which a surprised face opens (on the astronaut: about 14 idle, 70 surprised).
 */
export async function watchSessionMouth(server: TestServer, avatarId: string, session: { sessionId: string; token: string }) {
  const row = await server.server.services.store.db
    .selectFrom('avatars')
    .select('artifact')
    .where('id', '=', avatarId)
    .executeTakeFirstOrThrow();
  const faceKey = JSON.parse(row.artifact!).faceKey as string;
  const face = (await (await fetch(server.server.services.blobs.url(faceKey))).json()) as FaceGeometry;
  const box = landmarkBox(face, [MOUTH.leftCorner, MOUTH.rightCorner, ...MOUTH.outerUpper, ...MOUTH.outerLower], 12);

  const url = `${server.url.replace('http', 'ws')}/api/v1/sessions/${session.sessionId}/speech?token=${session.token}`;
  const socket = new WebSocket(url);
  const dark: number[] = [];
  socket.on('message', (data: Buffer, isBinary) => {
    if (!isBinary || data.readUInt8(0) !== MEDIA_KIND.i420) return;
    const width = data.readUInt16LE(9);
    let count = 0;
    for (let y = box[1]; y <= box[3]; y++) for (let x = box[0]; x <= box[2]; x++) if (data[HEADER_BYTES + y * width + x] < 70) count++;
    dark.push(count);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(
    JSON.stringify({
      type: 'start',
      format: { encoding: 'pcm16', sampleRate: 16000, channels: 1 },
      output: { video: 'i420', audio: false },
    }),
  );
  return {
    /** The mouth's dark pixels in the last frame once `count` more frames have come (15 frames: past the 250 ms ease). */
    async after(count: number): Promise<number> {
      const from = dark.length;
      await expect.poll(() => dark.length, { timeout: 15_000, message: `${count} frames` }).toBeGreaterThanOrEqual(from + count);
      return dark.at(-1)!;
    },
    /** Sends the agent's JSON message (an `expression`, say). */
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
  };
}
