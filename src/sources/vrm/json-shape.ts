/** A plain JSON object (not an array, not null): the only shape the VRM sections are read from. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
