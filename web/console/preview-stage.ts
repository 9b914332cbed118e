/**
 * The preview: a Tier 1 avatar renders live in the SDK's <avatar-view> (VRM or orb); a Tier 2/3 preview is the
 * MP4 the rendering container made, in a <video> with controls.
 */
import type { AvatarViewElement } from '../sdk/avatar-element.ts';
import type { Avatar, PreviewAnswer } from '../api/avatars-client.ts';

export function clearPreview(stage: HTMLElement): void {
  stage.replaceChildren();
}

export function showPreview(
  stage: HTMLElement,
  avatar: Avatar,
  answer: PreviewAnswer,
  onLoaded: () => void,
  onError: (message: string) => void,
): void {
  clearPreview(stage);
  if (avatar.tier === 'stylized_3d') {
    if (!customElements.get('avatar-view')) {
      onError('The avatar SDK did not load (/sdk/avatar-sdk.iife.js), so the preview cannot render.');
      return;
    }
    const view = document.createElement('avatar-view') as AvatarViewElement;
    view.setAttribute('role', 'img');
    view.setAttribute('aria-label', `Live preview of ${avatar.name}`);
    view.addEventListener('loaded', () => onLoaded());
    view.addEventListener('error', (event) =>
      onError((event as unknown as CustomEvent<{ message: string }>).detail?.message ?? 'The preview could not be shown.'),
    );
    stage.append(view);
    // The object as the API gave it, with the model URL /preview answered: no further API call.
    view.avatar = { ...avatar, sourceModel: answer.previewUrl ?? avatar.sourceModel };
    return;
  }
  if (!answer.previewUrl) {
    onError('The API answered no preview URL for this avatar.');
    return;
  }
  const video = document.createElement('video');
  video.controls = true;
  video.muted = true;
  video.loop = true;
  video.playsInline = true;
  video.src = answer.previewUrl;
  video.setAttribute('aria-label', `Preview video of ${avatar.name}`);
  video.addEventListener('loadeddata', () => onLoaded(), { once: true });
  video.addEventListener('error', () => onError('The preview video could not be played.'), { once: true });
  stage.append(video);
  void video.play().catch(() => undefined); // autoplay may be refused; the controls remain
}
