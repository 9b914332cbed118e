import { Color, Mesh, MeshStandardMaterial, PerspectiveCamera, SphereGeometry } from 'three';
import type { SceneRenderer } from './scene-renderer.ts';

const VIEW_HEIGHT = 1.2; // scene units visible top to bottom: orbSize 0.6 fills half the frame
const FOV = 30;

/** The orb render style: a sphere of the avatar's colour and size that breathes when idle and swells with speech. */
export class OrbStage {
  readonly camera: PerspectiveCamera;
  private readonly orb: Mesh<SphereGeometry, MeshStandardMaterial>;
  private open = 0;

  constructor(
    private readonly r: SceneRenderer,
    color: string,
    size: number,
    private idle: boolean,
  ) {
    const c = new Color(color);
    const material = new MeshStandardMaterial({ color: c, emissive: c, emissiveIntensity: 0.35, roughness: 0.35, metalness: 0 });
    this.orb = new Mesh(new SphereGeometry(Math.max(0.01, size) / 2, 48, 32), material);
    r.scene.add(this.orb);
    const aspect = r.renderer.domElement.width / r.renderer.domElement.height;
    this.camera = new PerspectiveCamera(FOV, aspect, 0.1, 20);
    this.camera.position.set(0, 0, VIEW_HEIGHT / 2 / Math.tan(((FOV / 2) * Math.PI) / 180));
    this.camera.lookAt(0, 0, 0);
  }

  setIdle(idle: boolean): void {
    this.idle = idle;
  }

  /** `open` is the speech's mouth openness 0..1. */
  frame(delta: number, t: number, open: number): void {
    // Rise fast, fall slower, like a level meter: the pulse follows syllables without flicker.
    const k = 1 - Math.exp(-delta / (open > this.open ? 0.03 : 0.12));
    this.open += (open - this.open) * k;
    const breath = this.idle ? 0.025 * Math.sin((t / 4) * Math.PI * 2) : 0;
    this.orb.scale.setScalar(1 + breath + 0.22 * this.open);
    this.orb.material.emissiveIntensity = 0.35 + 1.1 * this.open;
    this.r.renderer.render(this.r.scene, this.camera);
  }

  /** Current pulse for tests: scale above rest and emissive intensity. */
  pulse(): { scale: number; emissive: number } {
    return { scale: this.orb.scale.x, emissive: this.orb.material.emissiveIntensity };
  }

  dispose(): void {
    this.orb.geometry.dispose();
    this.orb.material.dispose();
    this.r.renderer.dispose();
  }
}
