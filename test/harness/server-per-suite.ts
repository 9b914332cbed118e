import { afterAll, beforeAll } from 'vitest';
import type { Scope } from '../../src/domain/context.ts';
import type { StoreKind } from './stores.ts';
import { startTestServer, type TestKey, type TestServer } from './test-server.ts';

/**
 * The set-up every route test file shares: one real server for the enclosing `describe`, started before its
 * tests and closed after them. What comes back reads through to that server once it has started, so a file
 * writes `const server = serverPerSuite(kind)` and then `server.api(...)` as with a server of its own.
 */
export function serverPerSuite(kind: StoreKind, env: Record<string, string> = {}): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer(kind, env);
  });
  afterAll(() => started?.close());
  return readThrough(() => started, 'the test server');
}

/** A key made once for the enclosing `describe`, after its server has started (same reading-through). */
export function keyPerSuite(server: TestServer, userId: string, organizationId: string | null, scopes?: Scope[]): TestKey {
  let made: TestKey | undefined;
  beforeAll(async () => {
    made = await server.makeKey(userId, organizationId, scopes);
  });
  return readThrough(() => made, `the key of ${userId}`);
}

function readThrough<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (!value) throw new Error(`${what} is read before its beforeAll ran`);
      return Reflect.get(value, property);
    },
  });
}
