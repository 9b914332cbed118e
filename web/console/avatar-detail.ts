/**
 * The panel of one avatar: its status (polled while it changes), its source (upload with progress, or the starter
 * avatar), preview, deploy and undeploy, the edit form and delete with a confirmation.
 */
import type { Avatar, AvatarsClient } from '../api/avatars-client.ts';
import { isPortraitTier, TIER_LABELS } from './avatar-display.ts';
import { avatarFieldsHtml, fillAvatarForm, readAvatarForm, syncVisibleFields } from './avatar-form.ts';
import { clearError, showError } from './feedback.ts';
import { clearPreview, showPreview } from './preview-stage.ts';
import type { SourceUpload } from './source-upload.ts';
import { createStatusPoller } from './status-poller.ts';

export interface AvatarDetail {
  open(id: string): Promise<void>;
  close(): void;
  shownId(): string | null;
}

export interface DetailEvents {
  /** The avatar changed (status, name...): the list shows it. */
  changed(avatar: Avatar): void;
  deleted(avatar: Avatar): void;
}

const STARTER_URL = '/starter/starter.vrm';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The console page has no #${id}.`);
  return el as T;
}

function describeDeployment(avatar: Avatar): string {
  const d = avatar.deployment;
  if (!d) return 'stopped';
  const parts: string[] = [d.state];
  if (d.since) parts.push(`since ${new Date(d.since).toLocaleString()}`);
  if (d.restarts > 0) parts.push(`${d.restarts} restart${d.restarts === 1 ? '' : 's'}`);
  if (avatar.renderingEndpoint) parts.push(`at ${avatar.renderingEndpoint}`);
  return parts.join(', ') + (d.lastError ? `. Last error: ${d.lastError}` : '');
}

const getAvatar = (api: AvatarsClient, id: string) => api.GET('/api/v1/avatars/{id}', { path: { id } });

export function createAvatarDetail(api: AvatarsClient, uploadSource: SourceUpload, events: DetailEvents): AvatarDetail {
  const panel = byId<HTMLElement>('detail');
  const title = byId<HTMLHeadingElement>('detail-title');
  const status = byId<HTMLElement>('detail-status');
  const notice = byId<HTMLElement>('detail-notice');
  const failure = byId<HTMLElement>('detail-failure');
  const uploadForm = byId<HTMLFormElement>('upload-form');
  const fileInput = byId<HTMLInputElement>('source-file');
  const starterButton = byId<HTMLButtonElement>('use-starter');
  const progress = byId<HTMLElement>('upload-progress');
  const bar = byId<HTMLProgressElement>('upload-bar');
  const barLabel = byId<HTMLElement>('upload-label');
  const stage = byId<HTMLElement>('preview-stage');
  const editForm = byId<HTMLFormElement>('edit-form');
  const dialog = byId<HTMLDialogElement>('delete-dialog');
  let avatar: Avatar | null = null;
  let busy = false;

  editForm.innerHTML = `${avatarFieldsHtml('edit', 'edit')}
    <div class="actions"><button type="submit">Save changes</button></div>
    <p class="error" role="alert" data-error></p>`;

  const poller = createStatusPoller(
    (id) => getAvatar(api, id),
    (fresh) => render(fresh, false),
    (error) => showError(panel, error),
  );

  const say = (text: string) => {
    notice.textContent = text;
  };

  function render(next: Avatar, refillForm: boolean): void {
    avatar = next;
    title.textContent = next.name;
    status.textContent = next.status;
    status.dataset.status = next.status;
    byId('detail-tier').textContent = TIER_LABELS[next.tier] ?? next.tier;
    byId('detail-id').textContent = next._id;
    const portrait = isPortraitTier(next.tier);
    byId('detail-deployment-row').hidden = !portrait;
    byId('detail-deployment').textContent = describeDeployment(next);
    failure.hidden = !next.error;
    failure.textContent = next.error ?? '';

    const isOrb = next.renderStyle === 'orb';
    byId('source-section').hidden = isOrb;
    const source = portrait ? next.sourceImage : next.sourceModel;
    const current = byId('source-current');
    current.textContent = source
      ? 'A source is uploaded; a new upload replaces it.'
      : portrait
        ? 'No portrait yet: upload one photo with a face (PNG, JPEG or WebP).'
        : 'No VRM model yet: upload a .vrm file or use the starter avatar.';
    byId('source-file-label').textContent = portrait ? 'Portrait photo' : 'VRM model';
    fileInput.accept = portrait ? 'image/png,image/jpeg,image/webp' : '.vrm,model/gltf-binary';
    starterButton.hidden = portrait;
    // Offer the verb that changes something: deploy when stopped, undeploy when up; both after a failure.
    const state = next.deployment?.state ?? 'stopped';
    byId('deploy').hidden = !portrait || state === 'running' || state === 'starting';
    byId('undeploy').hidden = !portrait || state === 'stopped' || state === 'stopping';
    if (refillForm) fillAvatarForm(editForm, next);
    events.changed(next);
    poller.watch(next);
  }

  /** Runs one action: clears old messages, shows the API's sentence if it fails, and never runs two at once. */
  async function act(action: (shown: Avatar) => Promise<void>): Promise<void> {
    if (!avatar || busy) return;
    busy = true;
    panel.setAttribute('aria-busy', 'true');
    clearError(panel);
    clearError(editForm);
    try {
      await action(avatar);
    } catch (error) {
      say('');
      showError(panel, error);
    } finally {
      busy = false;
      panel.removeAttribute('aria-busy');
    }
  }

  async function reload(id: string): Promise<void> {
    render(await getAvatar(api, id), false);
  }

  async function upload(shown: Avatar, file: Blob, name: string): Promise<void> {
    progress.hidden = false;
    bar.value = 0;
    barLabel.textContent = `Uploading ${name}: 0%`;
    try {
      const answer = await uploadSource(shown._id, file, name, (sent, total) => {
        const percent = total > 0 ? Math.round((sent / total) * 100) : 0;
        bar.value = percent;
        barLabel.textContent = `Uploading ${name}: ${percent}%`;
      });
      bar.value = 100;
      barLabel.textContent = `Uploaded ${name} (${(answer.size / 1024).toFixed(0)} KB).`;
      fileInput.value = '';
      say(`Uploaded ${name}.`);
    } catch (error) {
      barLabel.textContent = `The upload of ${name} did not finish.`;
      throw error;
    } finally {
      await reload(shown._id).catch(() => undefined);
    }
  }

  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(async (shown) => {
      const file = fileInput.files?.[0];
      if (!file) throw new Error('Choose a file to upload first.');
      await upload(shown, file, file.name);
    });
  });

  starterButton.addEventListener(
    'click',
    () =>
      void act(async (shown) => {
        const response = await fetch(STARTER_URL).catch(() => null);
        if (!response?.ok) throw new Error('The starter avatar could not be fetched from this server.');
        await upload(shown, await response.blob(), 'starter.vrm');
      }),
  );

  byId('preview').addEventListener(
    'click',
    () =>
      void act(async (shown) => {
        clearPreview(stage);
        say('Preparing the preview...');
        const answer = await api.POST('/api/v1/avatars/{id}/preview', { path: { id: shown._id } });
        showPreview(
          stage,
          shown,
          answer,
          () => say(`Preview of ${shown.name} is showing.`),
          (message) => showError(panel, new Error(message)),
        );
      }),
  );

  for (const verb of ['deploy', 'undeploy'] as const) {
    byId(verb).addEventListener(
      'click',
      () =>
        void act(async (shown) => {
          const init = { path: { id: shown._id } };
          await (verb === 'deploy' ? api.POST('/api/v1/avatars/{id}/deploy', init) : api.POST('/api/v1/avatars/{id}/undeploy', init));
          say(verb === 'deploy' ? 'Deploying: the rendering container is starting.' : 'Undeploying: the rendering container is stopping.');
          await reload(shown._id);
        }),
    );
  }

  editForm.addEventListener('change', () => avatar && syncVisibleFields(editForm, avatar.tier));
  editForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(async (shown) => {
      try {
        const updated = await api.PUT('/api/v1/avatars/{id}', {
          path: { id: shown._id },
          body: readAvatarForm(editForm, shown.tier, 'edit'),
        });
        render(updated, true);
        say('Changes saved.');
      } catch (error) {
        showError(editForm, error);
      }
    });
  });

  byId('delete').addEventListener('click', () => {
    if (!avatar) return;
    byId('delete-dialog-name').textContent = avatar.name;
    dialog.returnValue = '';
    dialog.showModal();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'delete') return;
    void act(async (shown) => {
      await api.DELETE('/api/v1/avatars/{id}', { path: { id: shown._id } });
      close();
      events.deleted(shown);
    });
  });

  function close(): void {
    poller.stop();
    clearPreview(stage);
    avatar = null;
    panel.hidden = true;
  }

  return {
    async open(id) {
      poller.stop();
      clearPreview(stage);
      clearError(panel);
      clearError(editForm);
      say('');
      progress.hidden = true;
      fileInput.value = '';
      render(await getAvatar(api, id), true);
      panel.hidden = false;
      title.focus();
    },
    close,
    shownId: () => avatar?._id ?? null,
  };
}
