import type { AvatarObject } from './avatar-types.ts';

/** An error the Avatars API answered (its `error` sentence and `code`), or a network failure. */
export class AvatarApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AvatarApiError';
  }
}

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

/** GET /api/v1/avatars/:id */
export function fetchAvatar(id: string, access: ApiAccess): Promise<AvatarObject> {
  return callApi<AvatarObject>(`/api/v1/avatars/${encodeURIComponent(id)}`, 'GET', access);
}

/** POST /api/v1/avatars/:id/preview: for Tier 2/3 the MP4 URL (503 while the rendering container is not deployed). */
export async function fetchPreviewUrl(id: string, access: ApiAccess): Promise<string> {
  const body = await callApi<{ previewUrl?: string }>(`/api/v1/avatars/${encodeURIComponent(id)}/preview`, 'POST', access);
  if (!body.previewUrl) throw new AvatarApiError('The preview answer has no previewUrl.', 'invalid-response', 200);
  return body.previewUrl;
}

/**
 * Fetches a file the avatar refers to (its VRM, its preview). The key goes only to the API's own origin: a model on
 * a CDN must not receive it.
 */
export async function fetchAsset(url: string, access: ApiAccess): Promise<ArrayBuffer> {
  const absolute = resolveUrl(url, access.apiBase);
  const sameOrigin = access.apiBase !== undefined && new URL(absolute).origin === new URL(resolveUrl(access.apiBase)).origin;
  const res = await send(absolute, { headers: sameOrigin ? authHeaders(access) : {} }, access);
  if (!res.ok) throw await errorFrom(res);
  return res.arrayBuffer();
}

export function resolveUrl(url: string, base?: string): string {
  const page = typeof location !== 'undefined' ? location.href : undefined;
  const root = base !== undefined ? new URL(base, page).href : page;
  return new URL(url, root).href;
}

async function callApi<T>(path: string, method: string, access: ApiAccess): Promise<T> {
  if (!access.apiBase) throw new AvatarApiError('Loading an avatar by id needs apiBase (the Avatars server URL).', 'missing-api-base', 0);
  if (!access.apiKey && !access.token) throw new AvatarApiError('Loading an avatar by id needs an apiKey or a token.', 'unauthorized', 0);
  const url = resolveUrl(path.replace(/^\//, ''), access.apiBase.endsWith('/') ? access.apiBase : `${access.apiBase}/`);
  const res = await send(url, { method, headers: { Accept: 'application/json', ...authHeaders(access) } }, access);
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as T;
}

async function send(url: string, init: RequestInit, access: ApiAccess): Promise<Response> {
  try {
    return await (access.fetch ?? fetch)(url, init);
  } catch (err) {
    throw new AvatarApiError(`Could not reach ${new URL(url).origin}: ${(err as Error).message}`, 'network', 0);
  }
}

async function errorFrom(res: Response): Promise<AvatarApiError> {
  let body: { error?: unknown; code?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not JSON (a CDN's or proxy's page): the status is all there is.
  }
  const message = typeof body.error === 'string' ? body.error : `${`The server answered ${res.status} ${res.statusText}`.trim()}.`;
  return new AvatarApiError(message, typeof body.code === 'string' ? body.code : `http-${res.status}`, res.status);
}
