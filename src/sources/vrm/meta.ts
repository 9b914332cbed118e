import { isJsonObject } from './json-shape.ts';

const MAX_STRING_CHARS = 1000;
const MAX_FIELDS = 64;
const MAX_ARRAY_ITEMS = 32;

type MetaScalar = string | number | boolean;

/**
 * The model's meta section (title or name, version, authors, license and permission fields) as the file has it,
 * kept to JSON-safe scalars and arrays of scalars with every string cut at 1000 characters, so it can be stored
 * and answered as it is. Nested objects and the thumbnail's bytes stay in the file.
 */
export function readMeta(meta: unknown): Record<string, unknown> {
  if (!isJsonObject(meta)) return {};
  const fields: [string, MetaScalar | MetaScalar[]][] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (fields.length === MAX_FIELDS) break;
    if (key === '__proto__' || key.length > 100) continue;
    if (Array.isArray(value)) {
      const items = value
        .slice(0, MAX_ARRAY_ITEMS)
        .map(scalar)
        .filter((item) => item !== undefined);
      fields.push([key, items]);
    } else {
      const item = scalar(value);
      if (item !== undefined) fields.push([key, item]);
    }
  }
  return Object.fromEntries(fields);
}

function scalar(value: unknown): MetaScalar | undefined {
  if (typeof value === 'string') return value.length > MAX_STRING_CHARS ? value.slice(0, MAX_STRING_CHARS) : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}
