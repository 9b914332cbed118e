import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sliceStream } from './slice-stream.ts';

const chunked = (data: Buffer, size: number) => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks);
};
const readAll = async (stream: Readable) => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
};

describe('sliceStream', () => {
  const data = randomBytes(1000);

  it('cuts any window out of a stream whatever its chunk sizes', async () => {
    for (const chunkSize of [1, 7, 100, 1000]) {
      for (const [skip, length] of [
        [0, 1],
        [0, 1000],
        [999, 1],
        [13, 500],
        [100, 100],
        [0, 0],
      ]) {
        const out = await readAll(sliceStream(chunked(data, chunkSize), skip, length));
        expect(out.equals(data.subarray(skip, skip + length)), `${chunkSize} ${skip} ${length}`).toBe(true);
      }
    }
  });

  it('closes the source once the window is through', async () => {
    const source = chunked(data, 10);
    await readAll(sliceStream(source, 0, 25));
    expect(source.destroyed).toBe(true);
  });

  it('ends short when the source does, and passes its errors on', async () => {
    expect((await readAll(sliceStream(chunked(data, 64), 900, 500))).equals(data.subarray(900))).toBe(true);
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(readAll(sliceStream(failing, 0, 10))).rejects.toThrow('connection reset');
  });
});
