/**
 * Consonant mouth shapes beyond VRM's five vowels (issue 17), each weighted 0..1 in a frame:
 * - `pp`: lips pressed together (p, b, m);
 * - `ff`: the lower lip under the upper teeth (f, v);
 * - `ss`: teeth together with the lips apart (s, z, sh, ch; sh and ch also round with `ou`);
 * - `th`: the tongue tip between or behind the teeth (th, l).
 */
export const CONSONANTS = ['pp', 'ff', 'ss', 'th'] as const;
export type Consonant = (typeof CONSONANTS)[number];
