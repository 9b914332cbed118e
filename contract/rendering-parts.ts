/**
 * What the rendering path needs besides the renderer's own code, and how each side says that one is missing
 * (docs/renderer.md, "Missing parts"). The renderer checks its parts (`renderer/main.ts --check-parts` prints them
 * and exits); the API runs that check at start for its local renderers and reports it in `/readyz`. A render that
 * fails for a missing part answers 503 with code MISSING_PART and a `reason` (RendererError).
 */

/** Each part checked, in this order: the renderer program itself (it starts at all), then ffmpeg with libx264. */
export const RENDERING_PARTS = ['renderer', 'ffmpeg'] as const;
export type RenderingPart = (typeof RENDERING_PARTS)[number];

/** One check: ok, or why not (a sentence that says how to fix it). */
export interface PartCheck {
  ok: boolean;
  reason?: string;
}

/** The argument of `renderer/main.ts` that checks the parts instead of serving. */
export const CHECK_PARTS_ARG = '--check-parts';

/** The one line `--check-parts` prints on stdout before it exits 0 (the renderer part is its start itself). */
export interface PartsLine {
  event: 'parts';
  parts: { ffmpeg: PartCheck };
}

/** The renderer's error code (503) for a render that a missing part made fail; the body's `reason` names it. */
export const MISSING_PART = 'missing-part';
