import fs from 'node:fs';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import type { TestKey, TestServer } from './test-server.ts';

const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

/**
 * The server settings the live-session tests share: two sessions per avatar (a third is refused) and 4 s of
 * queued speech (a flood is cut off quickly).
 */
export const LIVE_SESSION_ENV = { SESSIONS_PER_AVATAR: '2', SESSION_MAX_QUEUED_SPEECH_SECONDS: '4' };

/** A Tier 2/3 avatar with the astronaut portrait, once preprocessing made it ready (real work: seconds); its id. */
export async function readyLiveAvatar(
  server: TestServer,
  owner: TestKey,
  tier: string,
  onDemand?: Record<string, unknown>,
): Promise<string> {
  const a = (await server.api('POST', '/api/v1/avatars', { key: owner, body: { name: 'Live', tier, ...(onDemand ? { onDemand } : {}) } }))
    .body;
  await server.api('POST', `/api/v1/avatars/${a._id}/source`, { key: owner, raw: astronaut, headers: { 'content-type': 'image/png' } });
  for (let i = 0; i < 300; i++) {
    await server.server.loop.settle();
    if ((await server.api('GET', `/api/v1/avatars/${a._id}`, { key: owner })).body.status === 'ready') return a._id as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the portrait did not become ready');
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
