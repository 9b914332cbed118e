/**
 * The benchmark's baseline: the same VRM drawn with plain three.js and three-vrm and nothing else, loaded the way
 * three-vrm's own examples load one (removeUnnecessaryVertices, combineSkeletons, rotateVRM0, frustum culling off),
 * with the SDK's lights, canvas and camera framing, but no idle motion, gaze, face mixing, lip-sync or frame cap.
 * (The pose differs: the model stays in its T-pose, where the SDK relaxes the arms.)
 * `window.benchPlain.load(url, w, h)` resolves once the first frame is drawn; `window.benchPlainState` counts frames.
 */
import { PerspectiveCamera, type Scene, type WebGLRenderer } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { VRMLoaderPlugin, VRMUtils, type VRM } from '@pixiv/three-vrm';
import { createSceneRenderer } from '../sdk/scene-renderer.ts';
import { frameUpperBody } from '../sdk/vrm-stage.ts';

interface PlainState {
  frames: number;
  firstFrameMs: number;
  /** What is drawn, for looking into a frame's cost part by part (null until loaded). */
  parts: { vrm: VRM; renderer: WebGLRenderer; scene: Scene; camera: PerspectiveCamera } | null;
}

async function load(url: string, width: number, height: number): Promise<PlainState> {
  const started = performance.now();
  const state: PlainState = { frames: 0, firstFrameMs: 0, parts: null };
  (globalThis as unknown as { benchPlainState: PlainState }).benchPlainState = state;
  const canvas = document.createElement('canvas');
  document.body.appendChild(canvas);
  const { renderer, scene } = createSceneRenderer(canvas, width, height, false, '#e2e8f0');
  const loader = new GLTFLoader();
  loader.register((parser) => new VRMLoaderPlugin(parser));
  const gltf = await loader.loadAsync(url);
  const vrm = gltf.userData.vrm as VRM;
  VRMUtils.removeUnnecessaryVertices(gltf.scene);
  VRMUtils.combineSkeletons(gltf.scene);
  VRMUtils.rotateVRM0(vrm);
  vrm.scene.traverse((o) => (o.frustumCulled = false));
  scene.add(vrm.scene);
  const camera = new PerspectiveCamera(28, width / height, 0.01, 100);
  frameUpperBody(camera, vrm);
  state.parts = { vrm, renderer, scene, camera };
  let last = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (now: number) => {
      requestAnimationFrame(tick);
      vrm.update((now - last) / 1000);
      last = now;
      renderer.render(scene, camera);
      if (state.frames++ === 0) {
        state.firstFrameMs = performance.now() - started;
        resolve();
      }
    };
    requestAnimationFrame(tick);
  });
  return state;
}

(globalThis as unknown as { benchPlain: unknown }).benchPlain = { load };
