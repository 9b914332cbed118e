import type { VRM } from '@pixiv/three-vrm';
import { EMOTIONS, VISEME_NAMES, type Emotion, type VisemeName } from './avatar-types.ts';
import { mapVisemes, visemeExpressionWeights } from './viseme-fallback.ts';

/** What drives the face this frame. */
export interface FaceInput {
  emotions: Record<Emotion, number>;
  visemes: Record<VisemeName, number>;
  /** Mouth openness 0..1, used for the jaw when the model has no mouth expressions. */
  open: number;
  blink: number;
}

const JAW_OPEN_RADIANS = 0.35;

/**
 * Writes emotions, visemes and blink onto a VRM's expressions each frame. Values go through three-vrm's expression
 * manager, which applies each expression's overrideBlink / overrideMouth / overrideLookAt when vrm.update() runs, so
 * a 'happy' that blocks blinking wins over the idle blink without this class knowing.
 */
export class FaceMixer {
  readonly visemeMap: Record<VisemeName, string>;
  private readonly names: string[];
  private readonly jaw: ReturnType<NonNullable<VRM['humanoid']>['getNormalizedBoneNode']>;
  private readonly values = new Map<string, number>();

  constructor(private readonly vrm: VRM) {
    const em = vrm.expressionManager;
    const has = (name: string) => !!em?.getExpression(name);
    this.visemeMap = mapVisemes(has);
    this.names = [...new Set([...EMOTIONS, ...Object.values(this.visemeMap), 'blink'])].filter((n) => n && has(n));
    const noMouth = VISEME_NAMES.every((v) => !this.visemeMap[v]);
    this.jaw = noMouth ? (vrm.humanoid?.getNormalizedBoneNode('jaw') ?? null) : null;
  }

  apply(input: FaceInput): void {
    const em = this.vrm.expressionManager;
    this.values.clear();
    for (const e of EMOTIONS) this.values.set(e, clamp01(input.emotions[e]));
    for (const [name, w] of visemeExpressionWeights(this.visemeMap, input.visemes)) {
      // An emotion bound to the same shape (rare) keeps the larger of the two.
      this.values.set(name, Math.max(this.values.get(name) ?? 0, w));
    }
    this.values.set('blink', clamp01(input.blink));
    if (em) for (const name of this.names) em.setValue(name, this.values.get(name) ?? 0);
    if (this.jaw) this.jaw.rotation.x = JAW_OPEN_RADIANS * clamp01(input.open);
  }

  /** The values set this frame, by the model's expression names. */
  current(): Record<string, number> {
    const em = this.vrm.expressionManager;
    const out: Record<string, number> = {};
    for (const name of this.names) out[name] = em?.getValue(name) ?? 0;
    return out;
  }
}

const clamp01 = (x: number) => (x > 0 ? (x < 1 ? x : 1) : 0);
