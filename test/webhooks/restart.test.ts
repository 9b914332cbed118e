// Deliveries are durable: an attempt cut off by a server stopping is sent again by the next server on the same
// database, with the same webhook-id, and counted once.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitEvent } from '../../src/domain/webhooks/emit-event.ts';
import { createPgSchema, STORE_KINDS } from '../harness/stores.ts';
import { startTestServer } from '../harness/test-server.ts';
import { startReceiver, type Receiver } from './receiver.ts';

describe.each(STORE_KINDS)('webhook deliveries across a restart (%s)', (kind) => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('an attempt in flight when the server stops is sent by the next one, once it starts', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'webhook-restart-'));
    const schema = kind === 'postgres' ? await createPgSchema() : null;
    const env = {
      DATA_DIR: dataDir,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_TIMEOUT_MS: '60000',
      ...(schema ? { DATABASE_SCHEMA: schema.schema } : {}),
    };
    try {
      const first = await startTestServer(kind, env);
      const admin = await first.makeKey('admin', 'org_r', ['webhooks:admin']);
      const hook = (await first.api('POST', '/api/v1/webhooks', { key: admin, body: { url: receiver.url, events: ['video.failed'] } }))
        .body;
      receiver.useSecret(hook.secret);
      receiver.answer('hang');
      await emitEvent(first.server.services, { type: 'video.failed', organizationId: 'org_r', userId: 'u', data: { videoId: 'vid_r' } });
      await receiver.waitFor(1);
      await first.close();

      const second = await startTestServer(kind, env);
      try {
        await receiver.waitFor(2);
        const [cut, sent] = receiver.received;
        expect(sent.id).toBe(cut.id);
        expect(sent.body).toEqual(cut.body);
        for (let i = 0; i < 100; i++) {
          const log = await second.api('GET', `/api/v1/webhooks/${hook._id}/deliveries`, {
            key: await second.makeKey('admin', 'org_r', ['webhooks:admin']),
          });
          if (log.body.deliveries[0].status === 'delivered') {
            expect(log.body.deliveries[0]).toMatchObject({ id: cut.id, attempts: 1, lastStatusCode: 200 });
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new Error('the delivery was never marked delivered');
      } finally {
        await second.close();
      }
    } finally {
      await schema?.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
