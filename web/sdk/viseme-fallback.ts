import { VISEME_NAMES, type VisemeName } from './avatar-types.ts';

// Nearest mouth shapes first: ih and ee are both spread lips; ou and oh both rounded; aa is the open jaw any mouth has.
const NEAREST: Record<VisemeName, VisemeName[]> = {
  aa: ['aa', 'oh', 'ou', 'ee', 'ih'],
  ih: ['ih', 'ee', 'aa', 'oh', 'ou'],
  ou: ['ou', 'oh', 'aa', 'ih', 'ee'],
  ee: ['ee', 'ih', 'aa', 'oh', 'ou'],
  oh: ['oh', 'ou', 'aa', 'ee', 'ih'],
};

/**
 * Which of the model's expressions shows each viseme: itself when the model has it, else the nearest it has, else ''
 * (the model has no mouth shapes). three-vrm already names VRM 0.x a/i/u/e/o as aa/ih/ou/ee/oh.
 */
export function mapVisemes(has: (name: string) => boolean): Record<VisemeName, string> {
  const map = {} as Record<VisemeName, string>;
  for (const v of VISEME_NAMES) map[v] = NEAREST[v].find(has) ?? '';
  return map;
}

/** Adds each viseme weight onto the expression that shows it; several visemes on one expression sum up to 1. */
export function visemeExpressionWeights(map: Record<VisemeName, string>, weights: Record<VisemeName, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of VISEME_NAMES) {
    const name = map[v];
    if (!name) continue;
    out.set(name, Math.min(1, (out.get(name) ?? 0) + (weights[v] ?? 0)));
  }
  return out;
}
