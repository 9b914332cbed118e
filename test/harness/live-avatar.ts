import fs from 'node:fs';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { keyPerSuite, serverPerSuite } from './server-per-suite.ts';
import type { TestKey, TestServer } from './test-server.ts';

const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

/**
 * The server settings the live-session tests share: two sessions per avatar (a third is refused), 4 s of
 * queued speech (a flood is cut off quickly) and 3 s for a dropped agent to come back (one that does not ends soon).
 */
export const LIVE_SESSION_ENV = { SESSIONS_PER_AVATAR: '2', SESSION_MAX_QUEUED_SPEECH_SECONDS: '4', SESSION_RECONNECT_GRACE_SECONDS: '3' };

/** The live-session tests' set-up: one SQLite server with LIVE_SESSION_ENV for the enclosing `describe`, and its owner. */
export function liveServerPerSuite(organizationId: string): { server: TestServer; owner: TestKey } {
  const server = serverPerSuite('sqlite', LIVE_SESSION_ENV);
  return { server, owner: keyPerSuite(server, 'owner', organizationId) };
}

/**
 * The avatar as GET answers it once `done` holds, running the control loop meanwhile (preprocessing, real rendering
 * processes: this takes seconds); `what` names the wait in the error when it does not come within `timeoutMs`.
 */
export async function waitForAvatar(
  server: TestServer,
  owner: TestKey,
  id: string,
  done: (avatar: any) => boolean,
  what: string,
  timeoutMs = 45_000,
) {
  const deadline = Date.now() + timeoutMs;
  let avatar = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
  while (!done(avatar)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(avatar.deployment ?? avatar.status)}`);
    await server.server.loop.settle();
    await new Promise((r) => setTimeout(r, 100));
    avatar = (await server.api('GET', `/api/v1/avatars/${id}`, { key: owner })).body;
  }
  return avatar;
}

/** A Tier 2/3 avatar with the astronaut portrait, once preprocessing made it ready (real work: seconds). */
export async function readyPortraitAvatar(server: TestServer, owner: TestKey, tier: string, extra: Record<string, unknown> = {}) {
  const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Portrait', tier, ...extra } })).body;
  await server.api('POST', `/api/v1/avatars/${a._id}/source`, { key: owner, raw: astronaut, headers: { 'content-type': 'image/png' } });
  return waitForAvatar(server, owner, a._id, (x) => x.status === 'ready', 'preprocessing');
}

/** readyPortraitAvatar's id, with `onDemand` settings when given. */
export async function readyLiveAvatar(
  server: TestServer,
  owner: TestKey,
  tier: string,
  onDemand?: Record<string, unknown>,
): Promise<string> {
  return (await readyPortraitAvatar(server, owner, tier, onDemand ? { onDemand } : {}))._id;
}

export interface LiveSession {
  sessionId: string;
  token: string;
  viewerToken: string;
  url: string;
  whepUrl: string;
}

/** A ready realtime_lipsync avatar with two live sessions started on it: as many as LIVE_SESSION_ENV allows. */
export async function twoLiveSessions(server: TestServer, owner: TestKey): Promise<{ id: string; a: LiveSession; b: LiveSession }> {
  const id = await readyLiveAvatar(server, owner, 'realtime_lipsync');
  const a = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
  const b = (await server.api('POST', `/api/v1/avatars/${id}/sessions`, { key: owner })).body;
  return { id, a, b };
}
