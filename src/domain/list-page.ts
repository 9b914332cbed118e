import { ERRORS } from './errors.ts';

/**
 * How every list of the API pages (docs/design.md, "HTTP conventions"): `after`, an opaque cursor naming the last
 * item of the previous page, walks the list by its sort key (keyset), so items created or deleted meanwhile never
 * make another item skip or repeat; `offset` stays for older clients, bounded, since its cost grows with its depth.
 */
export const LIST_MAX_OFFSET = 1000;

/** What a refused deep offset, or an offset sent with a cursor, tells the caller to do instead. */
export const USE_THE_CURSOR = 'use "after" with the nextCursor of the previous page';

export interface PageInput {
  limit?: number;
  offset?: number;
  after?: string;
}

/** A sort key as a cursor carries it: the row's `seq`, or its (createdAt, id). */
export type SortKey = readonly (string | number)[];

export interface Page<K extends SortKey> {
  limit: number;
  offset: number;
  /** The sort key of the previous page's last item: this page starts after it. Null for the first page. */
  after: K | null;
}

/** Checks a page's query: a cursor this API made, no offset past the limit, not both at once. */
export function readPage<K extends SortKey>(
  input: PageInput,
  limits: { defaultLimit: number; maxLimit: number },
  isKey: (key: SortKey) => key is K,
): Page<K> {
  if (input.after !== undefined && input.offset !== undefined) {
    throw ERRORS.validation([{ path: 'offset', message: `cannot be sent with "after"; ${USE_THE_CURSOR} alone` }]);
  }
  const offset = input.offset ?? 0;
  if (offset > LIST_MAX_OFFSET) {
    throw ERRORS.validation([{ path: 'offset', message: `must be at most ${LIST_MAX_OFFSET}; for deeper pages ${USE_THE_CURSOR}` }]);
  }
  let after: K | null = null;
  if (input.after !== undefined) {
    const key = decodeCursor(input.after);
    if (key === null || !isKey(key)) {
      throw ERRORS.validation([
        { path: 'after', message: 'is not a cursor of this list; send the nextCursor of the previous page as it came' },
      ]);
    }
    after = key;
  }
  return { limit: Math.min(input.limit ?? limits.defaultLimit, limits.maxLimit), offset, after };
}

/** The cursor of the page after one whose last item has this key; null when the page was the last. */
export function nextCursor(lastKey: SortKey | null): string | null {
  return lastKey === null ? null : Buffer.from(JSON.stringify(lastKey)).toString('base64url');
}

function decodeCursor(cursor: string): SortKey | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.every((part) => typeof part === 'string' || typeof part === 'number') ? key : null;
  } catch {
    return null;
  }
}

/** A `seq` key: one positive integer. */
export function isSeqKey(key: SortKey): key is readonly [number] {
  return key.length === 1 && Number.isSafeInteger(key[0]) && (key[0] as number) > 0;
}

/** A `(createdAt, id)` key, for tables without a seq: two strings. */
export function isTimeIdKey(key: SortKey): key is readonly [string, string] {
  return key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string';
}

/** The store's form of a `(createdAt, id)` cursor's key (null for the first page). */
export function timeIdAfter(after: readonly [string, string] | null): { createdAt: string; id: string } | null {
  return after === null ? null : { createdAt: after[0], id: after[1] };
}
