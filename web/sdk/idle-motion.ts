import { Object3D, Vector3, type Camera } from 'three';
import type { VRM, VRMHumanBoneName } from '@pixiv/three-vrm';
import { createBlinkSchedule, type BlinkSchedule } from './blink-schedule.ts';
import type { IdleMode } from './avatar-types.ts';

const ARM_DOWN = 1.2; // radians from the T-pose toward the sides
const BREATH_PERIOD = 4.2; // s, a calm adult's breath

/**
 * What keeps a VRM looking alive when nobody speaks: arms relaxed from the T-pose, breathing in the spine and chest,
 * a slow sway of the head, eyes on the camera with small saccades, and blinks (returned for the face mixer).
 */
export class IdleMotion {
  readonly gazeTarget = new Object3D();
  private blinks: BlinkSchedule;
  private readonly sign: number;
  private gaze = new Vector3();
  private nextSaccade = 0;
  private readonly headLocal = new Vector3();
  private lastUpdate = Number.POSITIVE_INFINITY;

  constructor(
    private readonly vrm: VRM,
    private mode: IdleMode,
    private readonly random: () => number = Math.random,
  ) {
    // three-vrm's normalized bones keep each file's own axes: a VRM 0.x model, turned to face the camera, has its
    // rotations mirrored in X and Z.
    this.sign = vrm.meta?.metaVersion === '0' ? -1 : 1;
    this.blinks = createBlinkSchedule(random);
    if (vrm.lookAt) vrm.lookAt.target = this.gazeTarget;
    this.pose(0);
  }

  setMode(mode: IdleMode, now: number): void {
    this.mode = mode;
    this.blinks = createBlinkSchedule(this.random, now);
  }

  /**
   * Moves the bones and gaze for time t (seconds); returns the blink closure 0..1, the most it reached since the last
   * update, so that a blink shows however slowly frames come.
   */
  update(t: number, camera: Camera): number {
    const still = this.mode === 'still';
    this.pose(still ? 0 : t);
    this.updateGaze(still ? 0 : t, camera, still);
    const since = this.lastUpdate;
    this.lastUpdate = t;
    return still ? 0 : this.blinks.value(t, since);
  }

  private pose(t: number): void {
    const s = this.sign;
    const breath = Math.sin((t / BREATH_PERIOD) * Math.PI * 2);
    this.rotate('leftUpperArm', 0, 0, -ARM_DOWN * s + 0.02 * breath * s);
    this.rotate('rightUpperArm', 0, 0, ARM_DOWN * s - 0.02 * breath * s);
    this.rotate('leftLowerArm', 0, -0.15 * s, 0);
    this.rotate('rightLowerArm', 0, 0.15 * s, 0);
    this.rotate('spine', 0.012 * breath * s, 0, 0);
    this.rotate('chest', 0.018 * breath * s, 0, 0);
    // Two slow incommensurate sines read as a drift, not a loop.
    const swayX = 0.025 * Math.sin(t * 0.31) + 0.012 * Math.sin(t * 0.73);
    const swayY = 0.03 * Math.sin(t * 0.23) + 0.01 * Math.sin(t * 0.61);
    const swayZ = 0.015 * Math.sin(t * 0.19);
    this.rotate('neck', swayX * 0.5 * s, swayY * 0.5, swayZ * 0.5 * s);
    this.rotate('head', swayX * 0.5 * s, swayY * 0.5, swayZ * 0.5 * s);
  }

  private rotate(bone: VRMHumanBoneName, x: number, y: number, z: number): void {
    const node = this.vrm.humanoid?.getNormalizedBoneNode(bone);
    if (node) node.rotation.set(x, y, z);
  }

  private updateGaze(t: number, camera: Camera, still: boolean): void {
    if (!this.vrm.lookAt) return;
    if (!still && t >= this.nextSaccade) {
      // Mostly straight at the viewer; sometimes a small glance aside (a few degrees), held 0.4-2.5 s.
      const glance = this.random() < 0.35;
      const spread = glance ? 0.12 : 0.025;
      this.gaze.set((this.random() * 2 - 1) * spread, (this.random() * 2 - 1) * spread * 0.6, 0);
      this.nextSaccade = t + 0.4 + this.random() * 2.1;
    }
    if (still) this.gaze.set(0, 0, 0);
    const head = this.vrm.humanoid?.getNormalizedBoneNode('head');
    head?.getWorldPosition(this.headLocal);
    const distance = camera.position.distanceTo(this.headLocal) || 1;
    this.gazeTarget.position.copy(camera.position).addScaledVector(this.gaze, distance);
  }
}
