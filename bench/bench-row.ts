/** One figure a benchmark reports. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export type Report = (row: BenchRow) => void;

/** Why a row is unusable, or null when it is fine (a NaN figure is a broken bench, not a result). */
export function rowProblem(row: unknown): string | null {
  if (typeof row !== 'object' || row === null) return 'a row must be an object';
  const r = row as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') return 'a row needs a name';
  if (typeof r.value !== 'number' || !Number.isFinite(r.value))
    return `row "${r.name}" has a value that is not a finite number (${String(r.value)})`;
  if (typeof r.unit !== 'string') return `row "${r.name}" needs a unit`;
  if (r.note !== undefined && typeof r.note !== 'string') return `row "${r.name}" has a note that is not text`;
  return null;
}
