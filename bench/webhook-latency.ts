// Webhook delivery latency: from emitEvent (the event recorded) to a real local receiver holding the verified request,
// through the real server's control loop and delivery worker, one event at a time. The videos bench
// (bench/videos.bench.ts) reports it; `npx tsx bench/webhook-latency.ts` prints it alone.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import type { Ctx } from '../src/domain/context.ts';
import { createWebhook } from '../src/domain/webhooks/create-webhook.ts';
import { emitEvent } from '../src/domain/webhooks/emit-event.ts';
import { createServer } from '../src/server.ts';
import { startReceiver } from '../test/webhooks/receiver.ts';

export interface WebhookLatency {
  p50: number;
  p95: number;
  max: number;
}

/**
 * Milliseconds from emitting an event to the receiver having it (signature checked), over `events` events sent one
 * after another; the server runs on SQLite, or on PostgreSQL (a schema of its own, dropped after) when `databaseUrl` is
 * given.
 */
export async function measureWebhookLatency(options: { events?: number; databaseUrl?: string } = {}): Promise<WebhookLatency> {
  const events = options.events ?? 50;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'webhook-bench-'));
  const receiver = await startReceiver();
  const schema = options.databaseUrl ? await pgSchema(options.databaseUrl) : null;
  const server = await createServer(
    loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      ...(options.databaseUrl && schema ? { DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema.schema } : {}),
    }),
    { logger: false },
  );
  try {
    const services = server.services;
    const ctx: Ctx = { actor: { keyId: 'ak_bench', userId: 'bench', organizationId: 'org_bench', scopes: ['webhooks:admin'] }, services };
    const endpoint = await createWebhook(ctx, { url: receiver.url, events: ['video.completed'] });
    receiver.useSecret(endpoint.secret);
    const latencies: number[] = [];
    // The server's start goes on in the background for a while (the face model loads): measure after it, and leave the
    // first events (cold code paths) uncounted.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const warmUp = 10;
    for (let i = 0; i < warmUp + events; i++) {
      const started = performance.now();
      await emitEvent(services, { type: 'video.completed', organizationId: 'org_bench', userId: 'bench', data: { n: i } });
      await receiver.waitFor(i + 1);
      if (i >= warmUp) latencies.push(performance.now() - started);
    }
    if (receiver.rejected.length > 0) throw new Error(`the receiver refused ${receiver.rejected.length} deliveries`);
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { p50: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1] };
  } finally {
    await server.close();
    await receiver.close();
    await schema?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** A schema of its own on the given PostgreSQL, dropped after. */
async function pgSchema(url: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `webhook_bench_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create schema ${schema}`);
  return { schema, drop: () => run(`drop schema if exists ${schema} cascade`) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await measureWebhookLatency({ databaseUrl: process.env.DATABASE_URL });
  console.log(`webhook delivery latency (ms): p50 ${figures.p50.toFixed(1)}, p95 ${figures.p95.toFixed(1)}, max ${figures.max.toFixed(1)}`);
}
