import { Box3, PerspectiveCamera, Vector2, Vector3 } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { VRMLoaderPlugin, VRMUtils, type VRM } from '@pixiv/three-vrm';
import { createSceneRenderer, type SceneRenderer } from './scene-renderer.ts';
import { FaceMixer, type FaceInput } from './face-mixer.ts';
import { IdleMotion } from './idle-motion.ts';
import type { IdleMode } from './avatar-types.ts';

const FOV = 28;

/** Parses a VRM 0.x or 1.0 file into three-vrm's VRM, turned to face +Z like a 1.0 model. */
export async function parseVrm(data: ArrayBuffer): Promise<VRM> {
  const loader = new GLTFLoader();
  loader.register((parser) => new VRMLoaderPlugin(parser));
  const gltf = await loader.parseAsync(data, '');
  const vrm = gltf.userData.vrm as VRM | undefined;
  if (!vrm) throw new Error('The file is a glTF without VRM data (no VRMC_vrm or VRM extension).');
  VRMUtils.removeUnnecessaryVertices(gltf.scene);
  VRMUtils.combineSkeletons(gltf.scene);
  VRMUtils.rotateVRM0(vrm);
  // Skinned meshes move past their rest-pose bounds with idle motion; culling them by those bounds makes them blink out.
  vrm.scene.traverse((o) => (o.frustumCulled = false));
  return vrm;
}

/** A VRM on stage: camera on the head and upper body, idle motion, face mixing, spring bones. */
export class VrmStage {
  readonly camera: PerspectiveCamera;
  readonly face: FaceMixer;
  readonly idle: IdleMotion;

  constructor(
    private readonly r: SceneRenderer,
    readonly vrm: VRM,
    idle: IdleMode,
  ) {
    r.scene.add(vrm.scene);
    const size = r.renderer.getSize(new Vector2());
    this.camera = new PerspectiveCamera(FOV, size.x / size.y, 0.01, 100);
    this.face = new FaceMixer(vrm);
    this.idle = new IdleMotion(vrm, idle);
    vrm.update(0);
    frameUpperBody(this.camera, vrm);
  }

  static create(
    canvas: HTMLCanvasElement,
    vrm: VRM,
    w: number,
    h: number,
    transparent: boolean,
    background: string,
    idle: IdleMode,
  ): VrmStage {
    return new VrmStage(createSceneRenderer(canvas, w, h, transparent, background), vrm, idle);
  }

  frame(delta: number, t: number, face: Omit<FaceInput, 'blink'>): void {
    const blink = this.idle.update(t, this.camera);
    this.face.apply({ ...face, blink });
    this.vrm.update(delta);
    this.r.renderer.render(this.r.scene, this.camera);
  }

  dispose(): void {
    this.r.scene.remove(this.vrm.scene);
    VRMUtils.deepDispose(this.vrm.scene);
    this.r.renderer.dispose();
  }
}

/**
 * Points the camera at the head and upper body: the humanoid head bone gives the height, the model's bounds its
 * scale (fixtures range from a 1.6 m person to toy rigs), so the head sits in the upper third.
 */
export function frameUpperBody(camera: PerspectiveCamera, vrm: VRM): void {
  vrm.scene.updateMatrixWorld(true);
  const bounds = new Box3().setFromObject(vrm.scene);
  const head = new Vector3();
  const headNode = vrm.humanoid?.getNormalizedBoneNode('head') ?? vrm.humanoid?.getRawBoneNode('head');
  const height = Math.max(bounds.max.y - bounds.min.y, 1e-3);
  if (headNode) headNode.getWorldPosition(head);
  else head.set((bounds.min.x + bounds.max.x) / 2, bounds.max.y - height * 0.1, (bounds.min.z + bounds.max.z) / 2);
  // Measured from the ground: a 1.6 m person has the head bone near 1.45 m; scale the framing with that.
  const unit = Math.max(head.y - bounds.min.y, height * 0.5) / 1.45;
  const visible = 0.66 * unit;
  const centre = new Vector3(head.x, head.y - 0.01 * unit, head.z);
  const distance = visible / 2 / Math.tan(((FOV / 2) * Math.PI) / 180);
  camera.position.set(centre.x, centre.y + 0.03 * unit, centre.z + distance);
  camera.near = distance / 50;
  camera.far = distance * 50;
  camera.lookAt(centre);
  camera.updateProjectionMatrix();
}
