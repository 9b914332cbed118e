// `npm run generate:client`: writes web/api/openapi-types.ts, the types of the web client shared by the console and the
// SDK, from the OpenAPI document the server builds from its route schemas. test/web/web-client.test.ts fails when the
// committed file differs from what this script writes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { loadConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_CLIENT_TYPES = 'web/api/openapi-types.ts';

const HEADER = `/**
 * The Avatars API's paths, generated from its OpenAPI document (GET /api/v1/openapi.json) by openapi-typescript.
 * Do not edit: run \`npm run generate:client\` (scripts/generate-web-client.ts) after changing a route's schema.
 */

`;

/** The document exactly as the server answers it, from an app built in-process over a throwaway SQLite file. */
export async function openApiDocument(): Promise<OpenAPI3> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-openapi-'));
  try {
    // Only the settings the document needs: a developer's DATABASE_URL or S3 settings must not reach this server.
    const server = await createServer(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0' }), {
      logger: false,
    });
    try {
      const answer = await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      if (answer.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${answer.statusCode}: ${answer.body}`);
      return answer.json();
    } finally {
      await server.close();
    }
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** The file's text: openapi-typescript's output, formatted by Biome so that `biome check .` passes on it. */
export async function renderWebClientTypes(): Promise<string> {
  const source = HEADER + astToString(await openapiTS(await openApiDocument()));
  return execFileSync(path.join(ROOT_DIR, 'node_modules', '.bin', 'biome'), ['format', `--stdin-file-path=${WEB_CLIENT_TYPES}`], {
    cwd: ROOT_DIR,
    input: source,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await renderWebClientTypes();
  await fs.mkdir(path.join(ROOT_DIR, path.dirname(WEB_CLIENT_TYPES)), { recursive: true });
  await fs.writeFile(path.join(ROOT_DIR, WEB_CLIENT_TYPES), text);
  console.log(`wrote ${WEB_CLIENT_TYPES} (${text.split('\n').length} lines)`);
}
