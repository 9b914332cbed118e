// Calls to an API process with one key, and a Tier 2 portrait made ready through them: what the scenarios that
// need a deployed portrait (renderer faults, missing parts, orphaned renderers) share.
import fs from 'node:fs';
import { PORTRAIT_FIXTURES } from '../../fixtures.ts';

export interface TimedAnswer {
  status: number;
  body: any;
  ms: number;
}

export type ApiCaller = (method: string, path: string, body?: Buffer | object) => Promise<TimedAnswer>;

/** `X-API-Key: key` on every call; a Buffer is sent as a PNG, an object as JSON. */
export function apiCaller(url: string, key: string): ApiCaller {
  return async (method, path, body) => {
    const headers: Record<string, string> = { 'x-api-key': key };
    if (Buffer.isBuffer(body)) headers['content-type'] = 'image/png';
    else if (body) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      body: (Buffer.isBuffer(body) ? body : body ? JSON.stringify(body) : undefined) as BodyInit | undefined,
    });
    const json = await response.json();
    return { status: response.status, body: json, ms: performance.now() - t0 };
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` every 200 ms: how long it took to hold, or null when it did not within `limitMs`. */
export async function waitFor(done: () => Promise<boolean>, limitMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if (await done()) return Date.now() - t0;
    await sleep(200);
  }
  return null;
}

/** A portrait avatar (animated_portrait unless `tier` says) of the astronaut fixture, preprocessed (status ready); its id. */
export async function readyPortrait(api: ApiCaller, name: string, tier = 'animated_portrait'): Promise<string> {
  const avatar = (await api('POST', '/api/v1/avatars', { name, tier })).body;
  await api('POST', `/api/v1/avatars/${avatar._id}/source`, fs.readFileSync(PORTRAIT_FIXTURES.astronaut));
  const readyIn = await waitFor(async () => (await api('GET', `/api/v1/avatars/${avatar._id}`)).body.status === 'ready', 90_000);
  if (readyIn === null) throw new Error('the portrait was not preprocessed within 90 s');
  return avatar._id as string;
}

/** Deploys the avatar and waits until its deployment is `running` (its renderer answers health checks). */
export async function deployAndWaitRunning(api: ApiCaller, id: string, limitMs = 60_000): Promise<void> {
  await api('POST', `/api/v1/avatars/${id}/deploy`);
  const running = async () => (await api('GET', `/api/v1/avatars/${id}`)).body.deployment?.state === 'running';
  if ((await waitFor(running, limitMs)) === null) throw new Error(`the renderer did not run within ${limitMs / 1000} s`);
}
