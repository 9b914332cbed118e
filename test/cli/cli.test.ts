import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../fixtures.ts';
import { createPgSchema, STORE_KINDS, TEST_DATABASE_URL } from '../harness/stores.ts';

const run = promisify(execFile);
const BIN = path.join(ROOT_DIR, 'bin', 'avatars.js');

describe.each(STORE_KINDS)('the avatars command (%s)', (kind) => {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  const avatars = (...args: string[]) => run('node', [BIN, ...args], { env, cwd: ROOT_DIR });

  beforeAll(async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-cli-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.schema } : {}),
    };
    cleanup = async () => {
      await schema?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(() => cleanup());

  it('migrates, makes keys (printing the secret once), lists them without secrets', async () => {
    expect((await avatars('migrate')).stdout).toMatch(/Applied: 0001|up to date/);
    expect((await avatars('migrate')).stdout).toMatch(/up to date/);
    const made = JSON.parse(
      (
        await avatars(
          'keys',
          'create',
          '--user',
          'u1',
          '--org',
          'o1',
          '--scopes',
          'avatars:read,avatars:write',
          '--expires-in-days',
          '7',
          '--json',
        )
      ).stdout,
    );
    expect(made).toMatchObject({ userId: 'u1', organizationId: 'o1', scopes: ['avatars:read', 'avatars:write'] });
    expect(made.id).toMatch(/^ak_/);
    expect(made.key).toMatch(/^sk_/);
    const human = (await avatars('keys', 'create', '--user', 'u2', '--scopes', 'keys:admin')).stdout;
    expect(human).toMatch(/Created ak_\w+ for user u2/);
    const list = (await avatars('keys', 'list')).stdout;
    expect(list).toContain(made.id);
    expect(list).not.toContain(made.key);
    const listed = JSON.parse((await avatars('keys', 'list', '--json')).stdout);
    expect(listed.find((k: { id: string }) => k.id === made.id)).toMatchObject({ userId: 'u1', revokedAt: null });
  }, 120_000);

  it('refuses bad arguments with a message and a non-zero exit', async () => {
    await expect(avatars('keys', 'create', '--user', 'u', '--scopes', 'everything')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/scopes must be/),
    });
    await expect(avatars('keys', 'create', '--scopes', 'avatars:read')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--user/),
    });
    await expect(avatars('keys', 'create', '--user', 'u', '--scopes', 'avatars:read', '--expires-in-days', '0')).rejects.toMatchObject({
      code: 1,
    });
    await expect(avatars('keys', 'revoke', 'ak_nope')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/No key/) });
    // Ids and names: no control characters (an escape sequence would rewrite the terminal that lists them).
    for (const bad of [
      ['--user', 'u\u0001'],
      ['--user', 'u\u001b[2J'],
      ['--org', 'o\nx'],
      ['--org', 'o\u0085'],
      ['--name', 'two\nlines'],
    ]) {
      const args = ['keys', 'create', '--user', 'u', '--scopes', 'avatars:read', ...bad];
      await expect(avatars(...args)).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/control characters/) });
    }
    expect(
      JSON.parse((await avatars('keys', 'list', '--json')).stdout).filter(
        (k: { userId: string }) => k.userId !== 'u1' && k.userId !== 'u2',
      ),
    ).toEqual([]);
  }, 120_000);

  it('serves, says how to make the first key, and refuses a key revoked by the CLI within a second', async () => {
    const fresh = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-cli-serve-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    const serveEnv = { ...env, DATA_DIR: fresh, PORT: '0', HOST: '127.0.0.1', ...(schema ? { DATABASE_SCHEMA: schema.schema } : {}) };
    const child: ChildProcess = spawn('node', [BIN, 'serve'], { env: serveEnv, cwd: ROOT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let output = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
        child.stdout!.on('data', (chunk) => {
          output += chunk;
          const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output) ?? /"address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
          if (match && output.includes('No API keys yet')) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
      });
      expect(output).toMatch(/npx avatars keys create --user/);
      const cli = (...args: string[]) => run('node', [BIN, ...args], { env: serveEnv, cwd: ROOT_DIR });
      const made = JSON.parse((await cli('keys', 'create', '--user', 'u', '--scopes', 'avatars:read', '--json')).stdout);
      const call = () => fetch(`http://127.0.0.1:${port}/api/v1/avatars`, { headers: { 'x-api-key': made.key } });
      expect((await call()).status).toBe(200);
      await cli('keys', 'revoke', made.id);
      const revokedAt = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 1000) status = (await call()).status;
      expect(status).toBe(401);
      expect(output).not.toContain(made.key);
      child.kill('SIGTERM');
      const code = await new Promise((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await schema?.drop();
      await fs.rm(fresh, { recursive: true, force: true });
    }
  }, 120_000);
});
