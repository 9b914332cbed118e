import { describe, expect, it } from 'vitest';
import { SourceRejected } from '../source-rejected.ts';
import { chooseFace, LANDMARK_COUNT, NO_FACE } from './face-choice.ts';
import type { DetectedFace } from './face-model.ts';

function face(x: number, y: number, w: number, score = 0.95): DetectedFace {
  const mesh = Array.from({ length: LANDMARK_COUNT }, (_, i): [number, number, number] => [x + (i % w), y + (i % w), 0]);
  return { box: [x, y, w, w], score, mesh };
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceRejected);
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('chooseFace', () => {
  it('accepts one well-sized face without warnings', () => {
    const only = face(150, 50, 150);
    expect(chooseFace([only], 512, 512, false)).toEqual({ face: only, warnings: [] });
  });

  it('rejects no face, and a face whose mesh is incomplete counts as none', () => {
    expect(rejection(() => chooseFace([], 512, 512, false))).toBe(NO_FACE);
    const partial = { ...face(150, 50, 150), mesh: face(150, 50, 150).mesh.slice(0, 468) };
    expect(rejection(() => chooseFace([partial], 512, 512, false))).toBe(NO_FACE);
  });

  it('counts faces of similar size as subjects', () => {
    const three = [face(10, 10, 100), face(200, 10, 90), face(400, 10, 80)];
    expect(rejection(() => chooseFace(three, 600, 300, false))).toBe('The photo has 3 faces; upload a portrait with exactly one face.');
  });

  it('ignores much smaller faces in the background, with a warning', () => {
    const main = face(100, 50, 300);
    const { face: chosen, warnings } = chooseFace([face(10, 10, 70), main, face(450, 10, 65)], 1024, 768, false);
    expect(chosen).toBe(main);
    expect(warnings).toEqual(['2 smaller faces in the background were ignored.']);
  });

  it('rejects a face under 64 pixels wide, saying the size', () => {
    expect(rejection(() => chooseFace([face(10, 10, 40)], 300, 300, false))).toBe(
      'The face is too small: 40 pixels wide; upload a portrait where the face is at least 64 pixels wide.',
    );
    expect(rejection(() => chooseFace([face(10, 10, 50)], 1024, 683, true))).toContain('once the photo is scaled to 1024x683');
  });

  it('warns about a low score, a face small in the frame and a face at the edge', () => {
    const { warnings } = chooseFace([face(0, 300, 100, 0.6)], 1024, 1024, false);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('low confidence (0.60)');
    expect(warnings[1]).toContain('small in the frame');
    expect(warnings[2]).toContain('touches the edge');
  });
});
