/**
 * The avatar's fields, shared by the create form and the edit form: the markup, filling it from an avatar, and
 * reading it back as the body the API takes. No checks here: the API validates, and its sentence is shown.
 */
import type { Avatar, CreateAvatarBody, Tier, UpdateAvatarBody } from '../api/avatars-client.ts';
import { TIER_LABELS } from './avatar-display.ts';

export type FormMode = 'create' | 'edit';

/** Static markup (no user data), ids prefixed so both forms can live in one page. */
export function avatarFieldsHtml(p: string, mode: FormMode): string {
  const tierOptions = (Object.keys(TIER_LABELS) as Tier[]).map((t) => `<option value="${t}">${TIER_LABELS[t]}</option>`).join('');
  return `
  <div class="field"><label for="${p}-name">Name</label>
    <input id="${p}-name" name="name" type="text" maxlength="200" autocomplete="off" required></div>
  ${
    mode === 'create'
      ? `<div class="field"><label for="${p}-tier">Tier</label><select id="${p}-tier" name="tier">${tierOptions}</select></div>`
      : ''
  }
  <fieldset class="field" data-for-tier="stylized_3d"><legend>Render style</legend>
    <label class="choice"><input type="radio" name="renderStyle" value="vrm" checked> VRM model</label>
    <label class="choice"><input type="radio" name="renderStyle" value="orb"> Orb</label>
    <div class="row" data-for-style="orb">
      <div class="field"><label for="${p}-orbColor">Orb colour</label>
        <input id="${p}-orbColor" name="orbColor" type="color" value="#22d3ee"></div>
      <div class="field"><label for="${p}-orbSize">Orb size</label>
        <input id="${p}-orbSize" name="orbSize" type="number" step="0.05" value="0.6" inputmode="decimal"></div>
    </div>
  </fieldset>
  <div class="field"><label for="${p}-description">Description</label>
    <textarea id="${p}-description" name="description" rows="2" maxlength="2000"></textarea></div>
  <div class="row">
    <div class="field"><label for="${p}-resolution">Resolution</label>
      <input id="${p}-resolution" name="resolution" type="text" value="512x512" autocomplete="off" aria-describedby="${p}-resolution-hint">
      <small id="${p}-resolution-hint">Width x height, e.g. 512x512</small></div>
    <div class="field"><label for="${p}-frameRate">Frame rate</label>
      <input id="${p}-frameRate" name="frameRate" type="number" value="30" inputmode="numeric"></div>
  </div>
  <label class="choice"><input id="${p}-idleMotion" name="idleMotion" type="checkbox" checked> Idle motion</label>`;
}

function input(form: HTMLFormElement, name: string): HTMLInputElement {
  return form.elements.namedItem(name) as HTMLInputElement;
}

function renderStyleOf(form: HTMLFormElement): 'vrm' | 'orb' {
  return (form.querySelector<HTMLInputElement>('input[name="renderStyle"]:checked')?.value ?? 'vrm') as 'vrm' | 'orb';
}

/** Shows the tier's and the render style's own fields, hides the others (hidden fields are not sent). */
export function syncVisibleFields(form: HTMLFormElement, tier: Tier): void {
  for (const el of form.querySelectorAll<HTMLElement>('[data-for-tier]')) el.hidden = el.dataset.forTier !== tier;
  const style = renderStyleOf(form);
  for (const el of form.querySelectorAll<HTMLElement>('[data-for-style]')) el.hidden = el.dataset.forStyle !== style;
}

export function fillAvatarForm(form: HTMLFormElement, avatar: Avatar): void {
  input(form, 'name').value = avatar.name;
  (form.elements.namedItem('description') as HTMLTextAreaElement).value = avatar.description ?? '';
  input(form, 'resolution').value = avatar.config.resolution;
  input(form, 'frameRate').value = String(avatar.config.frameRate);
  input(form, 'idleMotion').checked = avatar.config.idleMotion;
  const style = avatar.renderStyle ?? 'vrm';
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="renderStyle"]')) radio.checked = radio.value === style;
  input(form, 'orbColor').value = avatar.orbColor ?? '#22d3ee';
  input(form, 'orbSize').value = String(avatar.orbSize ?? 0.6);
  syncVisibleFields(form, avatar.tier);
}

/**
 * The POST (create) or PUT (edit) body. Numbers the browser cannot parse go as typed, for the API to refuse with its
 * sentence: so the body is the API's type only when the user typed numbers, and is cast to it.
 */
export function readAvatarForm(form: HTMLFormElement, tier: Tier, mode: 'create'): CreateAvatarBody;
export function readAvatarForm(form: HTMLFormElement, tier: Tier, mode: 'edit'): UpdateAvatarBody;
export function readAvatarForm(form: HTMLFormElement, tier: Tier, mode: FormMode): CreateAvatarBody | UpdateAvatarBody {
  const number = (name: string): number | string => {
    const raw = input(form, name).value.trim();
    return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  };
  const description = (form.elements.namedItem('description') as HTMLTextAreaElement).value.trim();
  const body: Record<string, unknown> = { name: input(form, 'name').value };
  if (mode === 'create') body.tier = tier;
  if (description !== '') body.description = description;
  else if (mode === 'edit') body.description = null;
  body.config = {
    resolution: input(form, 'resolution').value.trim(),
    frameRate: number('frameRate'),
    idleMotion: input(form, 'idleMotion').checked,
  };
  if (tier === 'stylized_3d') {
    const style = renderStyleOf(form);
    body.renderStyle = style;
    if (style === 'orb') {
      body.orbColor = input(form, 'orbColor').value;
      body.orbSize = number('orbSize');
    }
  }
  return body as CreateAvatarBody | UpdateAvatarBody;
}
