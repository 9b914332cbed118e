import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPgSchema } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { expectError } from '../harness/expect-error.ts';
import { PORTRAIT_FIXTURES } from '../fixtures.ts';
import { alive } from '../harness/processes.ts';

const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);

const renderersOf = (dataDir: string): { avatarId: string; pid: number }[] => {
  const dir = path.join(dataDir, 'renderers');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')));
};

async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  servers: TestServer[],
  ms = 45_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    for (const s of servers) await s.server.loop.settle();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function readyPortrait(server: TestServer, key: TestKey, body: Record<string, unknown> = {}) {
  const a = (await server.api('POST', '/api/v1/avatars', { key, body: { name: 'P', tier: 'animated_portrait', ...body } })).body;
  await server.api('POST', `/api/v1/avatars/${a._id}/source`, { key, raw: astronaut, headers: { 'content-type': 'image/png' } });
  await waitFor(async () => (await server.api('GET', `/api/v1/avatars/${a._id}`, { key })).body.status === 'ready', 'ready', [server]);
  return a._id as string;
}

const stateOf = async (server: TestServer, key: TestKey, id: string) => (await server.api('GET', `/api/v1/avatars/${id}`, { key })).body;

describe('the deployment reconciler', () => {
  it('adopts running containers after an API restart instead of starting duplicates, and removes orphans', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'avatars-adopt-'));
    const env = { DATA_DIR: dataDir, RENDERERS_STOP_WITH_API: 'false' };
    let first: TestServer | null = await startTestServer('sqlite', env);
    let second: TestServer | null = null;
    try {
      const key = await first.makeKey('owner', 'org');
      const id = await readyPortrait(first, key);
      await first.api('POST', `/api/v1/avatars/${id}/deploy`, { key });
      await waitFor(async () => (await stateOf(first!, key, id)).deployment.state === 'running', 'running', [first]);
      const [{ pid }] = renderersOf(dataDir);
      await first.close();
      first = null;
      expect(alive(pid)).toBe(true);

      // An orphan: a renderer record whose avatar the database does not know.
      fs.writeFileSync(
        path.join(dataDir, 'renderers', 'avt_orphan0000000000.json'),
        JSON.stringify({ avatarId: 'avt_orphan0000000000', pid: 999_999_999, port: null, startedAt: new Date().toISOString() }),
      );

      second = await startTestServer('sqlite', { ...env, RENDERERS_STOP_WITH_API: 'true' });
      const s = second;
      const adopted = await waitFor(
        async () => {
          const a = await stateOf(s, key, id);
          return a.deployment.state === 'running' && a;
        },
        'adoption',
        [s],
      );
      expect(adopted.renderingEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:/);
      await s.server.loop.settle();
      expect(renderersOf(dataDir).map((r) => r.pid)).toEqual([pid]);
      expect(adopted.deployment.restarts).toBe(0);
      const preview = await s.api('POST', `/api/v1/avatars/${id}/preview`, { key });
      expect(preview.status).toBe(200);
    } finally {
      await first?.close();
      await second?.close();
      for (const r of renderersOf(dataDir)) if (alive(r.pid)) process.kill(r.pid, 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops an on_demand container after its idle minutes and keeps an always_on one up', async () => {
    const server = await startTestServer('sqlite');
    try {
      const key = await server.makeKey('owner', 'org');
      const onDemand = await readyPortrait(server, key, { onDemand: { schedulingMode: 'on_demand', autoShutdownMinutes: 1 } });
      const alwaysOn = await readyPortrait(server, key, { onDemand: { schedulingMode: 'always_on', autoShutdownMinutes: 1 } });
      for (const id of [onDemand, alwaysOn]) await server.api('POST', `/api/v1/avatars/${id}/deploy`, { key });
      await waitFor(
        async () =>
          (await stateOf(server, key, onDemand)).deployment.state === 'running' &&
          (await stateOf(server, key, alwaysOn)).deployment.state === 'running',
        'both running',
        [server],
      );
      // Two minutes without use, as the reconciler will read it.
      const longAgo = new Date(Date.now() - 2 * 60_000).toISOString();
      await server.server.services.store.db.updateTable('deployments').set({ last_used_at: longAgo }).execute();
      await waitFor(async () => (await stateOf(server, key, onDemand)).deployment.state === 'stopped', 'idle shutdown', [server]);
      for (let i = 0; i < 3; i++) await server.server.loop.settle();
      const kept = await stateOf(server, key, alwaysOn);
      expect(kept.deployment.state).toBe('running');
      expect(renderersOf(server.config.dataDir).map((r) => r.avatarId)).toEqual([alwaysOn]);
      expectError(await server.api('POST', `/api/v1/avatars/${onDemand}/preview`, { key }), 503, 'service-unavailable');
    } finally {
      await server.close();
    }
  }, 90_000);

  it('answers 503 when the container does not finish a preview within PREVIEW_TIMEOUT_MS', async () => {
    const server = await startTestServer('sqlite', { PREVIEW_TIMEOUT_MS: '100' });
    try {
      const key = await server.makeKey('owner', 'org');
      const id = await readyPortrait(server, key);
      await server.api('POST', `/api/v1/avatars/${id}/deploy`, { key });
      await waitFor(async () => (await stateOf(server, key, id)).deployment.state === 'running', 'running', [server]);
      const started = Date.now();
      const answer = await server.api('POST', `/api/v1/avatars/${id}/preview`, { key });
      expectError(answer, 503, 'service-unavailable');
      expect(answer.body.error).toBe('Avatar rendering container not deployed. Deploy the avatar first.');
      expect(Date.now() - started).toBeLessThan(5000);
      // The API itself stays responsive.
      expect((await server.api('GET', '/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 90_000);

  it("with two API servers on one PostgreSQL database, starts each avatar's container exactly once", async () => {
    const schema = await createPgSchema();
    // The replicas share the database and the files (as they would share S3); each runs its own reconciler.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avatars-two-'));
    const servers: TestServer[] = [];
    try {
      for (let i = 0; i < 2; i++) servers.push(await startTestServer('postgres', { DATABASE_SCHEMA: schema.schema, DATA_DIR: dir }));
      const key = await servers[0].makeKey('owner', 'org');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await readyPortrait(servers[i % 2], key));
      // Both servers are told to deploy every avatar, at the same time.
      await Promise.all(ids.flatMap((id) => servers.map((s) => s.api('POST', `/api/v1/avatars/${id}/deploy`, { key }))));
      await waitFor(
        async () => {
          for (const id of ids) if ((await stateOf(servers[0], key, id)).deployment.state !== 'running') return false;
          return true;
        },
        'all running',
        servers,
        90_000,
      );
      for (let i = 0; i < 3; i++) for (const s of servers) await s.server.loop.settle();
      // Every renderer process on this machine, by the avatar it renders: one each, no more.
      expect(rendererProcessesFor(ids).sort()).toEqual([...ids].sort());
    } finally {
      for (const s of servers) await s.close();
      for (const r of renderersOf(dir)) if (alive(r.pid)) process.kill(r.pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
      await schema.drop();
    }
  }, 150_000);
});

/** The AVATAR_ID of every live process started for one of `ids` (read from /proc, so duplicates show). */
function rendererProcessesFor(ids: string[]): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let environ = '';
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    const id = /(?:^|\0)AVATAR_ID=([^\0]+)/.exec(environ)?.[1];
    if (id && ids.includes(id)) found.push(id);
  }
  return found;
}
