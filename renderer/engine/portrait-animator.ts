import { buildControlMesh, type ControlMesh } from './control-mesh.ts';
import { computeCoverFit, resampleToFit, type CoverFit } from './cover-fit.ts';
import { CpuFrameWarper } from './cpu-frame-warper.ts';
import type { FaceGeometry } from '../../contract/face-geometry.ts';
import { parseResolution, type RenderConfig } from '../../contract/render-config.ts';
import { poseMesh, type MouthInput } from './face-rig.ts';
import type { FrameWarper } from './frame-warper.ts';
import { closeEyelid } from './eyelid-blink.ts';
import { expressionIdlePose, expressionMouth, expressionPose } from './expression-rig.ts';
import type { FaceState } from './face-state.ts';
import { IdleMotion, STILL_POSE, type Blink } from './idle-motion.ts';
import { MouthPainter } from './mouth-drawing.ts';
import { MouthFade } from './mouth-fade.ts';
import { buildMouthProfile, type MouthProfile } from './mouth-profile.ts';

export interface PortraitImage {
  /** Raw pixels, row-major, `channels` bytes each (3 = RGB, 4 = RGBA). */
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface PortraitAnimatorOptions {
  image: PortraitImage;
  face: FaceGeometry;
  config: RenderConfig;
  seed: number;
  warper?: FrameWarper;
}

export interface PortraitAnimator {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly seed: number;
  /** The avatar's `config.idleMotion`: when false the head stays still (no idle, listening or talking motion). */
  readonly idleMotion: boolean;
  readonly engine: FrameWarper['kind'];
  /** The still, fitted portrait (RGBA): every frame equals it outside the moving head region. */
  readonly base: Uint8Array;
  /**
   * The frame at t seconds: a new RGBA buffer of width*height*4 bytes. `face` adds an emotion and speech-driven
   * motion (face-state.ts); without it (or with an empty one) the frame is the idle one.
   */
  frame(tSeconds: number, mouth?: MouthInput, face?: FaceState): Uint8Array;
  /** Same, drawn into `target` (reuse it for live sessions to spare allocations). */
  frameInto(target: Uint8Array, tSeconds: number, mouth?: MouthInput, face?: FaceState): Uint8Array;
  /** Blinks that start before `untilSeconds` (none when idle motion is off). */
  blinkSchedule(untilSeconds: number): Blink[];
  /** The same portrait and fit with another seed; the costly preparation is shared. */
  withSeed(seed: number): PortraitAnimator;
}

interface Prepared {
  width: number;
  height: number;
  fit: CoverFit;
  base: Uint8Array;
  mesh: ControlMesh;
  mouth: MouthProfile;
  config: RenderConfig;
  warper: FrameWarper;
}

/**
 * Prepares a portrait for animation once (fit, resample, control mesh) and returns a frame source.
 * Frames are RGBA, a pure function of (seed, t, mouth) and, while a mouth fades out, of the frames just before
 * (mouth-fade.ts): the same inputs in the same order give byte-identical frames.
 */
export function createPortraitAnimator(options: PortraitAnimatorOptions): PortraitAnimator {
  const { width, height } = parseResolution(options.config.resolution);
  const { image, face } = options;
  if (image.data.length < image.width * image.height * image.channels) {
    throw new Error('The portrait image has fewer bytes than its size says.');
  }
  // Landmarks are in pixels of the analysed image; rescale if this copy has another size.
  const sx = image.width / face.width;
  const sy = image.height / face.height;
  const scaledFace: FaceGeometry =
    sx === 1 && sy === 1
      ? face
      : {
          ...face,
          width: image.width,
          height: image.height,
          box: [face.box[0] * sx, face.box[1] * sy, face.box[2] * sx, face.box[3] * sy],
          landmarks: face.landmarks.map(([x, y, z]) => [x * sx, y * sy, z]),
        };
  const centre: [number, number] = [scaledFace.box[0] + scaledFace.box[2] / 2, scaledFace.box[1] + scaledFace.box[3] / 2];
  const fit = computeCoverFit(image.width, image.height, width, height, centre);
  const base = resampleToFit(image.data, image.width, image.height, image.channels, fit, width, height);
  const mesh = buildControlMesh(scaledFace, fit, width, height);
  const prepared: Prepared = {
    width,
    height,
    fit,
    base,
    mesh,
    mouth: buildMouthProfile(mesh, base, width, height),
    config: options.config,
    warper: options.warper ?? new CpuFrameWarper(),
  };
  return animatorFor(prepared, options.seed >>> 0);
}

function animatorFor(prepared: Prepared, seed: number): PortraitAnimator {
  const { width, height, mesh, base, warper } = prepared;
  const motion = prepared.config.idleMotion ? new IdleMotion(seed) : null;
  const posedX = new Float64Array(mesh.count);
  const posedY = new Float64Array(mesh.count);
  const columnScratch = new Float32Array(height * 3);
  // The mouth drawn is the one asked for, faded into the photo's own over a few frames (mouth-fade.ts).
  const mouthFade = new MouthFade();
  const mouthPainter = new MouthPainter(prepared.mouth, base, width, height);
  const frameInto = (target: Uint8Array, t: number, spokenMouth?: MouthInput, face?: FaceState): Uint8Array => {
    if (target.length !== width * height * 4) throw new Error(`A frame needs ${width * height * 4} bytes.`);
    const pose = expressionIdlePose(motion && Number.isFinite(t) ? motion.pose(Math.max(0, t)) : STILL_POSE, face);
    const mouth = expressionMouth(spokenMouth, face?.expression);
    const shownMouth = mouthFade.apply(t, mouth);
    poseMesh(mesh, pose, shownMouth, posedX, posedY, expressionPose(face));
    warper.warp({ base, target, width, height, triangles: mesh.triangles, restX: mesh.restX, restY: mesh.restY, posedX, posedY });
    for (const eye of mesh.eyes) closeEyelid(target, width, height, eye, posedX, posedY, pose.blink, columnScratch);
    if (shownMouth) mouthPainter.draw(target, posedX, posedY, shownMouth);
    return target;
  };

  return {
    width,
    height,
    frameRate: prepared.config.frameRate,
    seed,
    idleMotion: prepared.config.idleMotion,
    engine: warper.kind,
    base,
    frame: (t, mouth, face) => frameInto(new Uint8Array(width * height * 4), t, mouth, face),
    frameInto,
    blinkSchedule: (until) => (motion ? motion.blinkSchedule(until) : []),
    withSeed: (next) => animatorFor(prepared, next >>> 0),
  };
}
