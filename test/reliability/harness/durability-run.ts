// The durability scenario: a write storm against `avatars serve` while it is SIGKILLed and restarted, several times.
import fs from 'node:fs';
import path from 'node:path';
import { VRM_FIXTURES } from '../../fixtures.ts';
import type { StoreKind } from '../../harness/stores.ts';
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { freePort } from '../../harness/free-port.ts';
import { createDataTarget } from './data-target.ts';
import { checkStoreIntegrity } from './store-integrity.ts';
import { verifyLedger } from './verify-ledger.ts';
import { startWriteStorm, type StormLedger } from './write-storm.ts';

export interface DurabilityOptions {
  kind: StoreKind;
  kills: number;
  /** Storm time before each kill. */
  stormMs: number;
  /**
   * Acknowledged updates and uploads each storm waits for before its kill, past stormMs (a loaded machine answers
   * fewer in that time), for at most STORM_WAIT_MS more.
   */
  minWrites?: number;
  workers: number;
  avatarsPerWorker: number;
}

export interface DurabilityResult {
  kind: StoreKind;
  kills: number;
  counts: StormLedger['counts'];
  avatarsTracked: number;
  /** Time from SIGKILL to the restarted server answering, ms, one per kill. */
  restartMs: number[];
  /** Lost or impossible writes, 5xx answers, integrity problems: empty when the run held. */
  problems: string[];
  integrity: { avatars: number; blobKeys: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STORM_WAIT_MS = 30_000;
const writes = (ledger: StormLedger) => ledger.counts.updates + ledger.counts.uploads;

export async function runDurability(options: DurabilityOptions): Promise<DurabilityResult> {
  const target = await createDataTarget(options.kind);
  const uploads = Object.values(VRM_FIXTURES).map((file) => fs.readFileSync(file));
  const problems: string[] = [];
  const restartMs: number[] = [];
  let server: ApiProcess | null = null;
  try {
    const { key } = await target.makeKey('u_storm', 'org_storm', ['avatars:read', 'avatars:write']);
    const port = await freePort();
    // The reconciler is idle here (no deployments); a slow interval keeps it out of the way.
    const env = { ...target.env, RECONCILE_INTERVAL_MS: '1000' };
    server = await startApiProcess(env, port);
    const storm = startWriteStorm({ url: server.url, key, workers: options.workers, avatarsPerWorker: options.avatarsPerWorker, uploads });
    let integrity = { avatars: 0, blobKeys: 0 };
    try {
      for (let kill = 0; kill < options.kills; kill++) {
        const before = writes(storm.ledger);
        await sleep(options.stormMs);
        const until = Date.now() + STORM_WAIT_MS;
        while (writes(storm.ledger) - before < (options.minWrites ?? 0) && Date.now() < until) await sleep(50);
        await server.kill();
        const killedAt = Date.now();
        // Checked while nothing runs: what the crash left, before any recovery code could tidy it.
        const store = await target.open();
        try {
          const report = await checkStoreIntegrity(store, path.join(target.dataDir, 'blobs'));
          problems.push(...report.problems.map((p) => `after kill ${kill + 1}: ${p}`));
          integrity = { avatars: report.avatars, blobKeys: report.blobKeys };
        } finally {
          await store.close();
        }
        server = await startApiProcess(env, port);
        restartMs.push(Date.now() - killedAt);
      }
      await sleep(Math.min(options.stormMs, 1000));
    } finally {
      await storm.stop();
    }
    problems.push(...storm.ledger.serverErrors);
    problems.push(...(await verifyLedger(server.url, key, storm.ledger)));
    return {
      kind: options.kind,
      kills: options.kills,
      counts: storm.ledger.counts,
      avatarsTracked: storm.ledger.avatars.length,
      restartMs,
      problems,
      integrity,
    };
  } finally {
    await server?.stop();
    await target.remove();
  }
}
