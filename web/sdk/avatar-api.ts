import { AvatarApiError, apiErrorFrom, createAvatarsClient, unreachable, type Avatar } from '../api/avatars-client.ts';

export interface ApiAccess {
  apiBase?: string;
  apiKey?: string;
  token?: string;
  fetch?: typeof fetch;
}

export function authHeaders(access: ApiAccess): Record<string, string> {
  if (access.apiKey) return { 'X-API-Key': access.apiKey };
  if (access.token) return { Authorization: `Bearer ${access.token}` };
  return {};
}

/** The shared API client for the view's server and credentials; refuses before any call when either is missing. */
function clientFor(access: ApiAccess) {
  if (!access.apiBase)
    throw new AvatarApiError(0, { error: 'Loading an avatar by id needs apiBase (the Avatars server URL).', code: 'missing-api-base' });
  if (!access.apiKey && !access.token)
    throw new AvatarApiError(0, { error: 'Loading an avatar by id needs an apiKey or a token.', code: 'unauthorized' });
  return createAvatarsClient({ baseUrl: resolveUrl(access.apiBase), auth: () => authHeaders(access), fetch: access.fetch });
}

/** GET /api/v1/avatars/:id */
export async function fetchAvatar(id: string, access: ApiAccess): Promise<Avatar> {
  return clientFor(access).GET('/api/v1/avatars/{id}', { path: { id } });
}

/** POST /api/v1/avatars/:id/preview: for Tier 2/3 the MP4 URL (503 while the rendering container is not deployed). */
export async function fetchPreviewUrl(id: string, access: ApiAccess): Promise<string> {
  const body = await clientFor(access).POST('/api/v1/avatars/{id}/preview', { path: { id } });
  if (!body.previewUrl) throw new AvatarApiError(200, { error: 'The preview answer has no previewUrl.', code: 'invalid-response' });
  return body.previewUrl;
}

/**
 * Fetches a file the avatar refers to (its VRM, its preview). The key goes only to the API's own origin: a model on
 * a CDN must not receive it.
 */
export async function fetchAsset(url: string, access: ApiAccess): Promise<ArrayBuffer> {
  const absolute = resolveUrl(url, access.apiBase);
  const sameOrigin = access.apiBase !== undefined && new URL(absolute).origin === new URL(resolveUrl(access.apiBase)).origin;
  let res: Response;
  try {
    res = await (access.fetch ?? fetch)(absolute, { headers: sameOrigin ? authHeaders(access) : {} });
  } catch (error) {
    throw unreachable(absolute, error);
  }
  if (!res.ok) throw await apiErrorFrom(res);
  return res.arrayBuffer();
}

export function resolveUrl(url: string, base?: string): string {
  const page = typeof location !== 'undefined' ? location.href : undefined;
  const root = base !== undefined ? new URL(base, page).href : page;
  return new URL(url, root).href;
}
