import { decodePortrait, encodePortraitPng } from './decode-portrait.ts';
import { chooseFace } from './face-choice.ts';
import { detectFacesOffThread } from './face-detection-thread.ts';
import { measureFaceLighting } from './face-lighting.ts';
import { measureFacePose } from './face-pose.ts';
import { describeFace, turnedUprightWarning } from './face-warnings.ts';
import type { FaceGeometry, PortraitArtifact, PortraitSourceInfo } from './portrait-types.ts';
import { findFacesUpright, type QuarterTurn } from './upright-portrait.ts';

/**
 * Turns an uploaded portrait into the avatar's `sourceInfo` and the rendering container's input
 * (image.png + face.json). Throws SourceRejected with a sentence for a person when the file cannot be used;
 * what it used but could not make good (a turned photo, a tilted head, an open mouth, poor light) is a warning.
 * `turned` says how far the photo was turned clockwise to make the face upright (0 when it was upright).
 */
export async function preprocessPortrait(
  file: Buffer,
): Promise<{ info: PortraitSourceInfo; artifact: PortraitArtifact; turned: QuarterTurn }> {
  const { portrait, faces, turned } = await findFacesUpright(await decodePortrait(file), detectFacesOffThread);
  const { width, height } = portrait;
  const downscaled = width !== portrait.orientedWidth || height !== portrait.orientedHeight;
  const { face, warnings } = chooseFace(faces, width, height, downscaled);
  const findings = describeFace(measureFacePose(face.mesh), await measureFaceLighting(portrait.rgb, width, height, face.box));

  const geometry: FaceGeometry = {
    width,
    height,
    box: face.box.map(round2) as FaceGeometry['box'],
    score: face.score,
    landmarks: face.mesh.map(([x, y, z]) => [round2(x), round2(y), round2(z)]),
    mouthOpenAtRest: findings.mouthOpenAtRest,
  };
  // sourceInfo speaks of the upload as the user sees it (turned upright when it had to be): scale the box back to
  // the oriented upload's pixels.
  const scale = portrait.orientedWidth / width;
  const info: PortraitSourceInfo = {
    width: portrait.orientedWidth,
    height: portrait.orientedHeight,
    face: {
      box: face.box.map((value) => Math.round(value * scale)) as PortraitSourceInfo['face']['box'],
      landmarks: geometry.landmarks.length,
      score: face.score,
    },
    warnings: [...portrait.warnings, ...(turned ? [turnedUprightWarning(turned)] : []), ...warnings, ...findings.warnings],
  };
  return { info, artifact: { image: await encodePortraitPng(portrait), face: geometry }, turned };
}

/** Two decimals are finer than a pixel; `|| 0` turns -0 into 0 so that face.json round-trips exactly. */
function round2(value: number): number {
  return Math.round(value * 100) / 100 || 0;
}
