// Issue 12's stall: parallel uploads of a 14.7 MB VRM whose JSON holds 780,000 nodes, while light requests (whoami,
// GET avatar) keep coming. Reports the light requests' p99 and the API's RSS before, during and after.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataTarget } from './data-target.ts';
import { startApiProcess } from './api-process.ts';
import { hostileVrm } from '../../harness/hostile-vrm.ts';

export interface UploadFloodResult {
  uploads: number;
  uploadBytes: number;
  uploadStatuses: Record<string, number>;
  uploadsSeconds: number;
  light: { before: LatencyFigures; during: LatencyFigures };
  rssMiB: { before: number; duringMax: number; after: number };
  problems: string[];
}

interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const P99_TARGET_MS = 50;
/** Memory the API may keep after the flood, over what it had before (worker heaps that linger until idle). */
const RSS_KEPT_LIMIT_MIB = 200;

export async function runUploadFlood(options: { uploads: number; settleMs: number }): Promise<UploadFloodResult> {
  const target = await createDataTarget('sqlite');
  const server = await startApiProcess({ ...target.env, LOG_LEVEL: 'warn' });
  const problems: string[] = [];
  try {
    const file = hostileVrm();
    const filePath = path.join(os.tmpdir(), `avatars-hostile-${process.pid}.vrm`);
    await fs.writeFile(filePath, file);
    // One organization per upload: the server-wide bound is what is measured, not one tenant's queue.
    const uploaders = await Promise.all(
      Array.from({ length: options.uploads }, async (_, i) => {
        const { key } = await target.makeKey(`u_flood${i}`, `org_flood${i}`, ['avatars:read', 'avatars:write']);
        const avatar = await call(server.url, key, 'POST', '/api/v1/avatars', { name: `Flood ${i}`, tier: 'stylized_3d' });
        return { key, id: (avatar as { _id: string })._id };
      }),
    );
    const prober = uploaders[0]!;
    const probe = () => lightRequests(server.url, prober.key, prober.id);

    await probe().until(Date.now() + 1000); // warm-up
    const rssBefore = await server.rssBytes();
    const before = await probe().until(Date.now() + 3000);

    let rssMax = rssBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rssMax = Math.max(rssMax, await server.rssBytes());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const sender = fork(fileURLToPath(new URL('./upload-sender.mjs', import.meta.url)));
    sender.send({ url: server.url, file: filePath, uploads: uploaders });
    await once(sender, 'message');
    const t0 = performance.now();
    let statuses: Record<string, number> = {};
    let uploadsDone = false;
    const uploads = once(sender, 'message')
      .then(([answer]) => {
        statuses = (answer as { statuses: Record<string, number> }).statuses;
      })
      .finally(() => {
        uploadsDone = true;
      });
    sender.send('go');
    const during = await probe().whileNot(() => uploadsDone);
    await uploads;
    const uploadsSeconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    await new Promise((r) => setTimeout(r, options.settleMs));
    const rssAfter = await server.rssBytes();

    if (during.p99Ms >= P99_TARGET_MS)
      problems.push(`light requests' p99 ${during.p99Ms} ms during the uploads (target < ${P99_TARGET_MS} ms)`);
    if (statuses['422'] !== options.uploads)
      problems.push(`uploads answered ${JSON.stringify(statuses)}; every one should be 422 invalid-source`);
    const kept = mib(rssAfter - rssBefore);
    if (kept > RSS_KEPT_LIMIT_MIB) problems.push(`the API kept ${kept} MiB after the uploads (limit ${RSS_KEPT_LIMIT_MIB} MiB)`);
    return {
      uploads: options.uploads,
      uploadBytes: file.length,
      uploadStatuses: statuses,
      uploadsSeconds: round(uploadsSeconds),
      light: { before, during },
      rssMiB: { before: mib(rssBefore), duringMax: mib(rssMax), after: mib(rssAfter) },
      problems,
    };
  } finally {
    await server.stop();
    await target.remove();
    await fs.rm(path.join(os.tmpdir(), `avatars-hostile-${process.pid}.vrm`), { force: true });
  }
}

/** Two loops of alternating whoami and GET avatar, one request at a time each. */
function lightRequests(url: string, key: string, id: string) {
  const run = async (stop: () => boolean): Promise<LatencyFigures> => {
    const times: number[] = [];
    const loop = async () => {
      for (let i = 0; !stop(); i++) {
        const t = performance.now();
        await call(url, key, 'GET', i % 2 ? `/api/v1/avatars/${id}` : '/api/v1/auth/whoami');
        times.push(performance.now() - t);
      }
    };
    await Promise.all([loop(), loop()]);
    times.sort((a, b) => a - b);
    const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0);
    return { requests: times.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(times[times.length - 1] ?? 0) };
  };
  return {
    until: (deadline: number) => run(() => Date.now() >= deadline),
    whileNot: (done: () => boolean) => run(done),
  };
}

async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (x: number) => Math.round(x * 100) / 100;
