import { type ExpressionRequest, type ExpressionWeights, weightsOf } from '../../contract/expressions.ts';

/** How long a new emotion takes to replace the one shown: quick enough to answer a line, slow enough not to jump. */
const EASE_SECONDS = 0.25;

/**
 * The emotion a session's face shows over time: each set() eases from what was showing at that moment to the new
 * weights, so a change mid-fade starts from where the face is, and several emotions blend while one replaces another.
 */
export class ExpressionEasing {
  private from: ExpressionWeights = {};
  private to: ExpressionWeights = {};
  private since = Number.NEGATIVE_INFINITY;

  set(request: ExpressionRequest, atSeconds: number): void {
    this.from = this.weightsAt(atSeconds);
    this.to = weightsOf(request);
    this.since = atSeconds;
  }

  weightsAt(tSeconds: number): ExpressionWeights {
    const x = (tSeconds - this.since) / EASE_SECONDS;
    if (x >= 1) return this.to;
    if (x <= 0) return this.from;
    const k = x * x * (3 - 2 * x);
    const weights: ExpressionWeights = {};
    for (const name of new Set([...Object.keys(this.from), ...Object.keys(this.to)]) as Set<keyof ExpressionWeights>) {
      const w = (this.from[name] ?? 0) * (1 - k) + (this.to[name] ?? 0) * k;
      if (w > 0) weights[name] = w;
    }
    return weights;
  }
}
