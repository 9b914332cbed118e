import { describe, expect, it } from 'vitest';

type FrameOptions = { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean };
// ws's own frame writer: exported by its ES module, though not by its type definitions.
const { Sender } = (await import('ws')) as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };
import { FrameTracker } from './speech-pipe.ts';

/** Frames as a real server writes them (ws's Sender): a short text, a 200-byte binary, a 70 KiB binary, a close. */
function serverFrames(): Buffer[] {
  const frame = (data: Buffer, opcode: number) =>
    Buffer.concat(Sender.frame(data, { fin: true, opcode, mask: false, readOnly: true, rsv1: false }));
  return [
    frame(Buffer.from('{"type":"ready"}'), 0x1),
    frame(Buffer.alloc(200, 7), 0x2),
    frame(Buffer.alloc(70_000, 9), 0x2),
    frame(Buffer.from([0x03, 0xe8]), 0x8),
  ];
}

describe('FrameTracker', () => {
  it('knows the frame boundaries and the close however the stream is cut into chunks', () => {
    const frames = serverFrames();
    const stream = Buffer.concat(frames);
    const boundaries = new Set<number>();
    let at = 0;
    for (const frame of frames) boundaries.add((at += frame.length));
    const closeAt = stream.length - frames.at(-1)!.length;
    for (const chunkSize of [1, 2, 3, 7, 13, 1000, stream.length]) {
      const tracker = new FrameTracker();
      for (let offset = 0; offset < stream.length; offset += chunkSize) {
        const end = Math.min(offset + chunkSize, stream.length);
        tracker.push(stream.subarray(offset, end));
        expect(tracker.atBoundary, `chunks of ${chunkSize}, at ${end}`).toBe(boundaries.has(end));
        if (end <= closeAt) expect(tracker.closing, `chunks of ${chunkSize}, at ${end}`).toBe(false);
      }
    }
  });

  it('is between frames before any byte', () => {
    expect(new FrameTracker().atBoundary).toBe(true);
  });
});
