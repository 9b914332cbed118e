/** The list of avatars: one button per avatar (name, tier, status); the selected one is marked for assistive tech. */
import type { AvatarSummary } from '../api/avatars-client.ts';

const TIER_SHORT: Record<string, string> = {
  stylized_3d: 'Stylized 3D',
  animated_portrait: 'Tier 2 portrait',
  realtime_lipsync: 'Tier 3 lip-sync',
};

export function renderAvatarList(
  list: HTMLUListElement,
  avatars: AvatarSummary[],
  selectedId: string | null,
  onSelect: (id: string) => void,
): void {
  list.replaceChildren(
    ...avatars.map((avatar) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'avatar-item';
      button.dataset.id = avatar._id;
      if (avatar._id === selectedId) button.setAttribute('aria-current', 'true');
      const name = document.createElement('span');
      name.className = 'avatar-name';
      name.textContent = avatar.name;
      const meta = document.createElement('span');
      meta.className = 'avatar-meta';
      meta.textContent = TIER_SHORT[avatar.tier] ?? avatar.tier;
      const status = document.createElement('span');
      status.className = 'status';
      status.dataset.status = avatar.status;
      status.textContent = avatar.status;
      button.append(name, meta, status);
      button.addEventListener('click', () => onSelect(avatar._id));
      item.append(button);
      return item;
    }),
  );
}

/** Changes one avatar's status in place (polling), without rebuilding the list under the user's focus. */
export function updateListedStatus(list: HTMLUListElement, id: string, status: string): void {
  const badge = list.querySelector<HTMLElement>(`button[data-id="${CSS.escape(id)}"] .status`);
  if (badge) {
    badge.dataset.status = status;
    badge.textContent = status;
  }
}
