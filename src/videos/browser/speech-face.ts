/**
 * The mouth for each video frame, from the speech: the SDK's analyzer (lipsync/) over the whole PCM in Node, and for
 * frame i the analysis frame a viewer's AvatarView would show then (avatar-view.ts: the frame heard by the middle of
 * the drawing's time on screen, plus 5 ms).
 */
import { createVisemeAnalyzer, pcm16ToFloat32, VISEMES, type VisemeFrame } from '../../../lipsync/index.ts';
import { VIDEO_SAMPLE_RATE } from '../../../contract/videos.ts';

export interface FrameMouth {
  /** aa, ih, ou, ee, oh. */
  visemes: [number, number, number, number, number];
  open: number;
}

export function mouthPerFrame(pcm: Uint8Array, fps: number, frames: number): FrameMouth[] {
  const analyzer = createVisemeAnalyzer({ sampleRate: VIDEO_SAMPLE_RATE });
  const samples = pcm16ToFloat32(pcm);
  const analysed: VisemeFrame[] = [];
  const CHUNK = 4800;
  for (let i = 0; i < samples.length; i += CHUNK) analysed.push(...analyzer.push(samples.subarray(i, i + CHUNK)));
  const out: FrameMouth[] = [];
  let next = 0;
  let current: VisemeFrame | null = null;
  for (let i = 0; i < frames; i++) {
    const shown = (i + 0.5) / fps + 0.005;
    while (next < analysed.length && analysed[next].time <= shown) current = analysed[next++];
    out.push({
      visemes: current ? (VISEMES.map((v) => current!.weights[v]) as FrameMouth['visemes']) : [0, 0, 0, 0, 0],
      open: current?.open ?? 0,
    });
  }
  return out;
}
