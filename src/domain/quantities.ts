/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a signed decimal
 * number followed by a binary (Ki..Ei), decimal (n, u, m, k, M..E) or exponent (e3) suffix.
 * Resources here must also be positive.
 */
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SCALE: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity's value in base units (cores, bytes), or null when it is not a valid positive quantity. */
export function parseQuantity(text: string): number | null {
  const match = QUANTITY.exec(text);
  if (!match) return null;
  const suffix = match[3] ?? '';
  const base = Number(match[1]);
  const value = /^[eE]/.test(suffix) ? base * 10 ** Number(suffix.slice(1)) : base * SCALE[suffix]!;
  return Number.isFinite(value) && value > 0 ? value : null;
}
