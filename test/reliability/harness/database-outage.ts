// The database-fault scenario: PostgreSQL (our own instance) stopped with `-m immediate` and started again while
// the API is under a mixed load. While it is down every answer must be a 503 in the design's shape; after it is
// back the API must answer 2xx again by itself, within seconds, with no restart.
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { createDataTarget } from './data-target.ts';
import { errorShapeProblems } from './error-shape.ts';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.ts';

export interface OutageOptions {
  /** How long PostgreSQL stays down. */
  downMs: number;
  /** Load before the stop and after the start. */
  beforeMs: number;
  afterMs: number;
  workers: number;
}

export interface OutageResult {
  outages: number;
  requests: { before: number; during: number; after: number };
  /** Statuses while the database was down. */
  duringStatuses: Record<string, number>;
  /** Slowest answer while it was down, ms (the pool's connect timeout bounds it). */
  duringMaxMs: number;
  /** From `pg_ctl start` returning to the first 2xx of a request sent after it, ms. */
  recoveryMs: number;
  /** /readyz while down and after. */
  readyz: { down: number; up: number };
  problems: string[];
}

interface Sample {
  sentAt: number;
  ms: number;
  status: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDatabaseOutage(options: OutageOptions): Promise<OutageResult> {
  const pg: OwnPostgres = await startOwnPostgres();
  let server: ApiProcess | null = null;
  const target = await createDataTarget('postgres', pg.url);
  try {
    const { key } = await target.makeKey('u_outage', 'org_outage', ['avatars:read', 'avatars:write']);
    server = await startApiProcess({ ...target.env, RECONCILE_INTERVAL_MS: '500' });
    const url = server.url;
    const headers = { 'x-api-key': key, 'content-type': 'application/json' };
    const seed = await fetch(`${url}/api/v1/avatars`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'seed', tier: 'stylized_3d' }),
    });
    const seedId = ((await seed.json()) as { _id: string })._id;

    const samples: Sample[] = [];
    let running = true;
    const worker = async (w: number) => {
      for (let n = 0; running; n++) {
        const kind = n % 5;
        const [method, path, body] =
          kind === 0
            ? ['POST', '/api/v1/avatars', JSON.stringify({ name: `w${w}-${n}`, tier: 'stylized_3d' })]
            : kind === 1
              ? ['PUT', `/api/v1/avatars/${seedId}`, JSON.stringify({ name: `w${w}-${n}` })]
              : kind === 2
                ? ['GET', '/api/v1/avatars?limit=20', undefined]
                : ['GET', `/api/v1/avatars/${seedId}`, undefined];
        const sentAt = Date.now();
        try {
          const response = await fetch(`${url}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
          const text = await response.text();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* judged as text */
          }
          const problems = errorShapeProblems(response.status, parsed, response.headers.get('content-type') ?? '').map(
            (p) => `${method} ${path}: ${p}`,
          );
          samples.push({ sentAt, ms: Date.now() - sentAt, status: response.status, problems });
        } catch (error) {
          samples.push({
            sentAt,
            ms: Date.now() - sentAt,
            status: 0,
            problems: [`${method} ${path}: no answer (${(error as Error).message})`],
          });
        }
        // Not a flood: the point is the answers, not the rate.
        await sleep(20);
      }
    };
    const workers = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));

    await sleep(options.beforeMs);
    const stoppedAt = Date.now();
    await pg.stop();
    const downSince = Date.now();
    // The first requests in flight as it stopped may have finished either way; judge those sent after.
    await sleep(options.downMs / 2);
    const readyDown = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    await sleep(options.downMs / 2);
    const startAt = Date.now();
    await pg.start();
    const upAt = Date.now();
    await sleep(options.afterMs);
    const readyUp = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    const died = readyUp === 0 ? server.describe() : null;
    running = false;
    await workers;

    const problems: string[] = [];
    // Answered before the stop began: one in flight as it stopped may rightly be a 503.
    const before = samples.filter((s) => s.sentAt + s.ms < stoppedAt);
    const during = samples.filter((s) => s.sentAt >= downSince && s.sentAt + s.ms < startAt);
    const after = samples.filter((s) => s.sentAt >= upAt);
    for (const s of [...before, ...during, ...after]) problems.push(...s.problems);
    for (const s of before) if (s.status < 200 || s.status >= 300) problems.push(`before the outage: ${s.status}`);
    const duringStatuses: Record<string, number> = {};
    for (const s of during) {
      duringStatuses[s.status] = (duringStatuses[s.status] ?? 0) + 1;
      if (s.status !== 503) problems.push(`while the database was down: ${s.status} (expected 503)`);
    }
    const firstOk = after.find((s) => s.status >= 200 && s.status < 300);
    const recoveryMs = firstOk ? firstOk.sentAt + firstOk.ms - upAt : Number.POSITIVE_INFINITY;
    if (!firstOk) problems.push('no 2xx after the database came back');
    // Once one request succeeded, all later ones must (a pool that half-recovered would fail some).
    if (firstOk) {
      for (const s of after.filter((x) => x.sentAt > firstOk.sentAt + firstOk.ms)) {
        if (s.status < 200 || s.status >= 300) problems.push(`after recovery: ${s.status}`);
      }
    }
    if (readyDown !== 503) problems.push(`/readyz answered ${readyDown} while the database was down`);
    if (readyUp !== 200) problems.push(`/readyz answered ${readyUp} after the database came back`);
    if (during.length === 0) problems.push('no request was sent while the database was down');
    if (died) problems.push(died);
    return {
      outages: 1,
      requests: { before: before.length, during: during.length, after: after.length },
      duringStatuses,
      duringMaxMs: Math.max(0, ...during.map((s) => s.ms)),
      recoveryMs,
      readyz: { down: readyDown, up: readyUp },
      // The same fault repeats per request: show each once, with how often.
      problems: [...new Set(problems)].map((p) => `${p} (x${problems.filter((q) => q === p).length})`),
    };
  } finally {
    await server?.stop();
    await target.remove().catch(() => {});
    await pg.remove();
  }
}
