import { ERRORS, type ErrorDetail } from './errors.ts';
import type { RenderConfig } from '../../contract/render-config.ts';
import type { OnDemand, Resources, Tier } from '../model/avatar-fields.ts';

/** Fields a client may send when creating or updating an avatar (shape checked by the HTTP schema). */
export interface AvatarFields {
  name?: string;
  description?: string | null;
  renderStyle?: 'vrm' | 'orb';
  orbColor?: string;
  orbSize?: number;
  resources?: Partial<Resources>;
  config?: Partial<RenderConfig>;
  onDemand?: Partial<OnDemand>;
}

/**
 * The rules the schema cannot express: trimmed names must not be empty, and the fields that only
 * one tier or render style takes. Collects every problem, then throws one validation error.
 */
export function checkAvatarFields(fields: AvatarFields, tier: Tier, renderStyle: 'vrm' | 'orb' | null): AvatarFields {
  const problems: ErrorDetail[] = [];
  const out: AvatarFields = { ...fields };
  if (fields.name !== undefined) {
    out.name = fields.name.trim();
    if (out.name === '') problems.push({ path: 'name', message: 'must not be empty' });
  }
  if (typeof fields.description === 'string') out.description = fields.description.trim();
  if (tier !== 'stylized_3d') {
    for (const field of ['renderStyle', 'orbColor', 'orbSize'] as const) {
      if (fields[field] !== undefined) problems.push({ path: field, message: 'applies only to stylized_3d avatars' });
    }
  } else {
    if (fields.onDemand !== undefined) {
      problems.push({ path: 'onDemand', message: 'applies only to animated_portrait and realtime_lipsync avatars' });
    }
    if (renderStyle !== 'orb') {
      for (const field of ['orbColor', 'orbSize'] as const) {
        if (fields[field] !== undefined) problems.push({ path: field, message: 'applies only to renderStyle "orb"' });
      }
    }
  }
  if (problems.length > 0) throw ERRORS.validation(problems);
  return out;
}
