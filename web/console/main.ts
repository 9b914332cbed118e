/**
 * The Avatars console, served by the API at `/`: asks for an API key (kept for the tab), lists the caller's avatars,
 * creates them, and opens one in the detail panel (avatar-detail.ts).
 */
import { createAvatarsClient, type Avatar, type AvatarSummary, type Tier } from '../api/avatars-client.ts';
import { avatarFieldsHtml, readAvatarForm, syncVisibleFields } from './avatar-form.ts';
import { renderAvatarList, updateListedStatus } from './avatar-list.ts';
import { createAvatarDetail } from './avatar-detail.ts';
import { clearError, showError } from './feedback.ts';
import { sessionKey } from './session-key.ts';
import { showServerNotice } from './server-notice.ts';
import { sourceUploader } from './source-upload.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let apiKey: string | null = sessionKey.get();
// Same origin; the key of the moment in X-API-Key.
const auth = (): Record<string, string> => (apiKey ? { 'x-api-key': apiKey } : {});
const api = createAvatarsClient({ baseUrl: '', auth });

const keySection = $('key-section');
const keyForm = $<HTMLFormElement>('key-form');
const workspace = $('workspace');
const listSection = $('list-section');
const list = $<HTMLUListElement>('avatar-list');
const createForm = $<HTMLFormElement>('create-form');
let avatars: AvatarSummary[] = [];

const detail = createAvatarDetail(api, sourceUploader(auth), {
  changed(avatar: Avatar) {
    const listed = avatars.find((a) => a._id === avatar._id);
    if (listed && listed.name !== avatar.name) {
      listed.name = avatar.name;
      drawList();
    }
    if (listed) listed.status = avatar.status;
    updateListedStatus(list, avatar._id, avatar.status);
  },
  async deleted(avatar: Avatar) {
    await refreshList();
    announce(`Deleted ${avatar.name}.`);
    $('list-title').focus();
  },
});

/** A polite message for screen readers and eyes, in the list's header area. */
function announce(text: string): void {
  let live = document.getElementById('list-notice');
  if (!live) {
    live = document.createElement('p');
    live.id = 'list-notice';
    live.className = 'notice';
    live.setAttribute('role', 'status');
    listSection.insertBefore(live, list);
  }
  live.textContent = text;
}

function drawList(): void {
  renderAvatarList(list, avatars, detail.shownId(), (id) => void openAvatar(id));
  $('list-empty').hidden = avatars.length > 0;
}

async function openAvatar(id: string): Promise<void> {
  clearError(listSection);
  try {
    await detail.open(id);
    drawList();
  } catch (error) {
    showError(listSection, error);
  }
}

async function refreshList(): Promise<void> {
  clearError(listSection);
  try {
    const answer = await api.GET('/api/v1/avatars', { query: { limit: 200 } });
    avatars = answer.avatars;
    drawList();
  } catch (error) {
    showError(listSection, error);
  }
}

/** Checks the key with whoami before showing anything, so a bad key is reported where it was typed. */
async function start(): Promise<void> {
  if (!apiKey) return;
  clearError(keyForm);
  try {
    const me = await api.GET('/api/v1/auth/whoami');
    $('who').textContent = `Signed in as ${me.userId}${me.organizationId ? ` (${me.organizationId})` : ''}`;
  } catch (error) {
    showError(keyForm, error);
    keySection.hidden = false;
    workspace.hidden = true;
    $('session').hidden = true;
    $('api-key').focus();
    return;
  }
  keySection.hidden = true;
  $('session').hidden = false;
  workspace.hidden = false;
  await refreshList();
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = $<HTMLInputElement>('api-key').value.trim();
  if (!value) {
    showError(keyForm, new Error('Enter an API key (it starts with sk_).'));
    return;
  }
  apiKey = value;
  sessionKey.set(value);
  void start();
});

$('forget-key').addEventListener('click', () => {
  apiKey = null;
  sessionKey.clear();
  detail.close();
  avatars = [];
  list.replaceChildren();
  workspace.hidden = true;
  $('session').hidden = true;
  keySection.hidden = false;
  $<HTMLInputElement>('api-key').value = '';
  $('api-key').focus();
});

$('refresh').addEventListener('click', () => void refreshList());

createForm.innerHTML = `${avatarFieldsHtml('create', 'create')}
  <div class="actions"><button type="submit">Create avatar</button></div>
  <p class="error" role="alert" data-error></p>`;
const tierOf = () => $<HTMLSelectElement>('create-tier').value as Tier;
syncVisibleFields(createForm, tierOf());
createForm.addEventListener('change', () => syncVisibleFields(createForm, tierOf()));
createForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void (async () => {
    clearError(createForm);
    const submit = createForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    submit.disabled = true;
    try {
      const created = await api.POST('/api/v1/avatars', { body: readAvatarForm(createForm, tierOf(), 'create') });
      $<HTMLInputElement>('create-name').value = '';
      $<HTMLTextAreaElement>('create-description').value = '';
      await refreshList();
      announce(`Created ${created.name}.`);
      await openAvatar(created._id);
    } catch (error) {
      showError(createForm, error);
    } finally {
      submit.disabled = false;
    }
  })();
});

void start();
void showServerNotice($('server-notice'));
