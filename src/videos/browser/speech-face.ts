/**
 * The mouth for each video frame, from the speech: the SDK's analyzer (lipsync/) over the PCM in Node, and for frame i
 * the analysis frame a viewer's AvatarView would show then (avatar-view.ts: the frame heard by the middle of the
 * drawing's time on screen, plus 5 ms). Analysed as the frames are asked for, so that the analysis of a batch runs
 * while the page draws the one before.
 */
import { createVisemeAnalyzer, pcm16ToFloat32, VISEMES, type VisemeFrame } from '../../../lipsync/index.ts';
import { VIDEO_SAMPLE_RATE } from '../../../contract/videos.ts';

export interface FrameMouth {
  /** aa, ih, ou, ee, oh. */
  visemes: [number, number, number, number, number];
  open: number;
}

/** Samples handed to the analyzer at a time (0.1 s at the video's rate). */
const CHUNK = 4800;

export function* mouthPerFrame(pcm: Uint8Array, fps: number, frames: number): Generator<FrameMouth> {
  const analyzer = createVisemeAnalyzer({ sampleRate: VIDEO_SAMPLE_RATE });
  const samples = pcm16ToFloat32(pcm);
  let pushed = 0;
  let analysed: VisemeFrame[] = [];
  let next = 0;
  let current: VisemeFrame | null = null;
  for (let i = 0; i < frames; i++) {
    const shown = (i + 0.5) / fps + 0.005;
    for (;;) {
      while (next < analysed.length && analysed[next].time <= shown) current = analysed[next++];
      // Analysed past the frame's time, or all of it: the frame's mouth is known.
      if (next < analysed.length || pushed >= samples.length) break;
      analysed = analyzer.push(samples.subarray(pushed, pushed + CHUNK));
      next = 0;
      pushed += CHUNK;
    }
    yield {
      visemes: current ? (VISEMES.map((v) => current!.weights[v]) as FrameMouth['visemes']) : [0, 0, 0, 0, 0],
      open: current?.open ?? 0,
    };
  }
}
