import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createServer, type Server } from '../../src/server.ts';
import type { AppOptions } from '../../src/http/app.ts';
import type { Scope } from '../../src/domain/context.ts';
import { issueApiKey } from '../../src/domain/keys/issue-api-key.ts';
import { freePort } from './free-port.ts';
import { createPgSchema, TEST_DATABASE_URL, type StoreKind } from './stores.ts';

export interface TestKey {
  id: string;
  key: string;
  userId: string;
  organizationId: string | null;
}

export interface ApiCall {
  key?: TestKey | string | null;
  body?: unknown;
  /** A raw body sent as is (for malformed JSON, wrong types...). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  url: string;
  server: Server;
  config: Config;
  kind: StoreKind;
  makeKey(userId: string, organizationId: string | null, scopes?: Scope[], options?: { expiresInDays?: number }): Promise<TestKey>;
  api<T = any>(method: string, urlPath: string, call?: ApiCall): Promise<ApiAnswer<T>>;
  close(): Promise<void>;
}

export const ALL_SCOPES: Scope[] = ['avatars:read', 'avatars:write', 'keys:admin'];

/** A real server on a random port, with its own SQLite file or PostgreSQL schema, over real HTTP. */
export async function startTestServer(
  kind: StoreKind,
  env: Record<string, string> = {},
  // Tests that read the server's log pass `{ logger: { level, stream } }`.
  appOptions: AppOptions = { logger: false },
): Promise<TestServer> {
  // A DATA_DIR or DATABASE_SCHEMA given by the test is shared with another server and outlives this one.
  const dataDir = env.DATA_DIR ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-test-')));
  const pgSchema = kind === 'postgres' && !env.DATABASE_SCHEMA ? await createPgSchema() : null;
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
    // Rendering containers started by a test stop with its server; the loop runs often so tests are quick.
    RENDERERS_STOP_WITH_API: 'true',
    RECONCILE_INTERVAL_MS: '200',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...(kind === 'postgres' ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: pgSchema?.schema ?? env.DATABASE_SCHEMA } : {}),
    ...env,
  });
  const server = await createServer(config, appOptions);
  const address = await server.app.listen({ port, host: '127.0.0.1' });

  return {
    url: address,
    server,
    config,
    kind,
    async makeKey(userId, organizationId, scopes = ALL_SCOPES, options = {}) {
      const issued = await issueApiKey(server.services.store, { userId, organizationId, scopes, ...options });
      return { id: issued.id, key: issued.key, userId, organizationId };
    },
    async api(method, urlPath, call = {}) {
      const headers: Record<string, string> = { ...call.headers };
      const key = typeof call.key === 'string' ? call.key : call.key?.key;
      if (key) headers['x-api-key'] = key;
      let body: string | Buffer | undefined;
      if (call.raw !== undefined) body = call.raw;
      else if (call.body !== undefined) {
        body = JSON.stringify(call.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${address}${urlPath}`, { method, headers, body: body as BodyInit | undefined });
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    async close() {
      await server.close();
      await pgSchema?.drop();
      if (!env.DATA_DIR) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
