// API server throughput and latency, on SQLite and on PostgreSQL, beside a bare Fastify route answering the same
// avatar JSON in the same run:
// - GET /api/v1/avatars/:id and a 50-item list at c=16 over an organization of BENCH_API_AVATARS (100,000) avatars.
//   Targets (issue 19): authenticated get at >= 0.5 of the bare route's rps on SQLite, >= 0.4 on PostgreSQL. The get
//   and the bare route alternate in rounds of a few seconds, so each ratio compares them on the same machine.
// - The list at each size of BENCH_API_SIZES (1,000, 100,000 and 1,000,000 avatars in one organization, grown in
//   place by the store's bulk insert): p99 of the first page, the last page (by cursor), a deep offset (950: the last
//   full page at 1,000) and a name-filtered first page (the name matching 100 at every size), and p99 at the largest
//   size over p99 at the smallest (target <= 1.5).
// The server runs in a child process (one core), the load client here (the other core).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { issueApiKey } from '../src/domain/keys/issue-api-key.ts';
import { LIST_MAX_OFFSET, nextCursor } from '../src/domain/list-page.ts';
import { migrate, openStore, type Store } from '../src/store/database.ts';
import { createPgSchema, TEST_DATABASE_URL, type StoreKind } from '../test/harness/stores.ts';
import type { ServerMessage, ServerRequest, ServerStart } from './api-server.ts';
import { seedAvatars } from './api-seed.ts';
import type { Report } from './bench-row.ts';
import { cpuSecondsNamed } from './proc-cpu.ts';
import { measureLoad, percentile, type LoadResult } from './load-client.ts';

const AVATARS = Number(process.env.BENCH_API_AVATARS || 100_000);
/** The organization's sizes the lists are measured at, smallest first; the get is measured at AVATARS. */
const SIZES = [...new Set([...(process.env.BENCH_API_SIZES || '1000,100000,1000000').split(',').map(Number), AVATARS])]
  .filter((n) => Number.isSafeInteger(n) && n > 0)
  .sort((a, b) => a - b);
/** Each list shape's warm-up and measured seconds at each size (several shapes x sizes x stores: kept short). */
const SIZE_WARMUP_SECONDS = Number(process.env.BENCH_API_SIZE_WARMUP_SECONDS || 1);
const SIZE_SECONDS = Number(process.env.BENCH_API_SIZE_SECONDS || 4);
/** Connections of the size series: the list's own cost and a little concurrency, not a queue of 16. */
const SIZE_CONNECTIONS = 4;
/**
 * The name filtered on matches the same avatars at every size: 1 in 10 of the oldest NAMED_SPAN (100), none of the
 * rest. So each size's page is the same 50 of 100 and the ratio is the organization's size alone. (A name matching 1
 * in 1,000 throughout made the page at 1,000 one avatar against fifty at a million.)
 */
const NAMED_SPAN = 1000;
const nameOf = (i: number) => (i < NAMED_SPAN ? `avatar ${i % 10}` : `bulk ${i % 1000}`);
/**
 * The deep offset measured: the deepest allowed, or the smallest size's last full page when that is shallower (at
 * 1,000 avatars an offset of 1,000 answers an empty page, and the ratio compared it with fifty rows at a million).
 */
const DEEP_OFFSET = Math.max(0, Math.min(LIST_MAX_OFFSET, (SIZES[0] ?? 0) - 50));
const NAMED = 'avatar 7';
const NAMED_PATH = `/api/v1/avatars?limit=50&name=${encodeURIComponent(NAMED)}`;
const CONNECTIONS = 16;
const WARMUP_SECONDS = Number(process.env.BENCH_API_WARMUP_SECONDS || 3);
const SECONDS = Number(process.env.BENCH_API_SECONDS || 10);
const ORGANIZATION = 'org_bench';
const USERS = Array.from({ length: 10 }, (_, i) => `user_bench_${i}`);
/** Gets are spread over this many ids, so they are not all answered from one hot page. */
const GET_IDS = 10_000;
/** Rounds of the get, each between two rounds of the bare route, for the get's ratio (its median is the figure). */
const RATIO_ROUNDS = Number(process.env.BENCH_API_RATIO_ROUNDS || 3);
const ROUND_SECONDS = Number(process.env.BENCH_API_ROUND_SECONDS || 5);
const LIST_PATH = '/api/v1/avatars?limit=50';
/** Set to a directory to write CPU profiles of each server process there, one folder each (node --cpu-prof). */
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
/** The stores to measure, comma-separated (both by default). */
const STORES = (process.env.BENCH_API_STORES || 'sqlite,postgres')
  .split(',')
  .filter((s): s is StoreKind => s === 'sqlite' || s === 'postgres');

const here = path.dirname(fileURLToPath(import.meta.url));

interface ServerChild {
  url: string;
  /** CPU time the server process has used so far, µs. */
  cpuMicros(): Promise<number>;
  /** Stops the server; answers its RSS just before it closed. */
  stop(): Promise<number>;
  kill(): void;
}

function startServer(start: ServerStart, label: string): Promise<ServerChild> {
  const execArgv = ['--import', 'tsx', ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(CPU_PROF_DIR, label)}`] : [])];
  const child: ChildProcess = fork(path.join(here, 'api-server.ts'), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<ServerMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${label} server exited (code ${code})`));
      child.once('exit', onExit);
      child.once('message', (message: ServerMessage) => {
        child.off('exit', onExit);
        if (message.type === 'failed') reject(new Error(`${label} server failed: ${message.message}`));
        else resolve(message);
      });
    });
  const ask = async <T extends ServerMessage['type']>(request: ServerRequest, expected: T) => {
    const answer = next();
    child.send(request);
    const message = await answer;
    if (message.type !== expected) throw new Error(`${label} server answered ${message.type}, not ${expected}`);
    return message as Extract<ServerMessage, { type: T }>;
  };
  return ask(start, 'ready').then((ready) => {
    return {
      url: ready.url,
      cpuMicros: async () => (await ask({ type: 'cpu' }, 'cpu')).micros,
      stop: async () => (await ask({ type: 'stop' }, 'stopped')).rssBytes,
      kill: () => void child.kill('SIGKILL'),
    };
  });
}

interface SeededStore {
  env: Record<string, string>;
  key: string;
  /** Every avatar's id, oldest first. */
  ids: string[];
  /** Adds avatars until the organization holds `size`; answers the seconds it took (PostgreSQL: vacuum analyze too). */
  growTo(size: number): Promise<{ seconds: number; cpuSeconds: number }>;
  /** The cursor of the organization's last page of 50 (its oldest avatars). */
  lastPageCursor(): Promise<string>;
  cleanup(): Promise<void>;
}

async function seedStore(kind: StoreKind): Promise<SeededStore> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-bench-'));
  const schema = kind === 'postgres' ? await createPgSchema() : null;
  let store: Store | null = null;
  const cleanup = async () => {
    await store?.close();
    store = null;
    await schema?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    const opened = openStore({ dataDir, databaseUrl: schema ? TEST_DATABASE_URL : null, databaseSchema: schema?.schema ?? null });
    store = opened;
    await migrate(opened);
    const { key } = await issueApiKey(opened, { userId: USERS[0]!, organizationId: ORGANIZATION, scopes: ['avatars:read'] });
    const ids: string[] = [];
    return {
      env: { DATA_DIR: dataDir, ...(schema ? { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema.schema } : {}) },
      key,
      ids,
      async growTo(size) {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const more = await seedAvatars(opened, {
          organizationId: ORGANIZATION,
          userIds: USERS,
          count: size - ids.length,
          firstIndex: ids.length,
          nameOf,
        });
        for (const id of more) ids.push(id); // not push(...more): a million arguments overflow the stack
        // What autovacuum does on its own a little after a bulk load: planner statistics, visibility map.
        if (kind === 'postgres') await sql`vacuum analyze avatars`.execute(opened.db);
        const cpu = process.cpuUsage(cpu0);
        return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
      },
      async lastPageCursor() {
        // The page after the 51st oldest avatar holds the 50 oldest: its seq is the cursor's key.
        const row = await opened.db.selectFrom('avatars').select('seq').where('id', '=', ids[50]!).executeTakeFirstOrThrow();
        return nextCursor([Number(row.seq)])!;
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Ids taken evenly across the whole table, visited in a shuffled order. */
function pathCycle(ids: string[]): () => string {
  const step = Math.max(1, Math.floor(ids.length / GET_IDS));
  const paths = ids.filter((_, i) => i % step === 0).map((id) => `/api/v1/avatars/${id}`);
  for (let i = paths.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [paths[i], paths[j]] = [paths[j]!, paths[i]!];
  }
  let next = 0;
  return () => paths[next++ % paths.length]!;
}

async function getJson(url: string, key: string): Promise<any> {
  const response = await fetch(url, { headers: { 'x-api-key': key } });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

interface Measured extends LoadResult {
  /** Server CPU time per answered request, µs (the database's own CPU is not in it on PostgreSQL). */
  cpuPerRequestMicros: number;
  /** PostgreSQL's CPU time per answered request, µs, where it was read (the get on PostgreSQL). */
  databaseCpuPerRequestMicros?: number;
}

/** Warm-up (not measured), then the measured run with the server's CPU time (and the database's) read around it. */
async function load(
  server: ServerChild,
  nextPath: () => string,
  key?: string,
  connections = CONNECTIONS,
  timing = { warmup: WARMUP_SECONDS, seconds: SECONDS },
  readDatabaseCpu?: () => number,
): Promise<Measured> {
  const headers: Record<string, string> = key ? { 'x-api-key': key } : {};
  const options = { url: server.url, connections, nextPath, headers };
  await measureLoad({ ...options, seconds: timing.warmup });
  const before = await server.cpuMicros();
  const databaseBefore = readDatabaseCpu?.() ?? 0;
  const result = await measureLoad({ ...options, seconds: timing.seconds });
  const measured: Measured = { ...result, cpuPerRequestMicros: ((await server.cpuMicros()) - before) / result.requests };
  if (readDatabaseCpu) measured.databaseCpuPerRequestMicros = (readDatabaseCpu() - databaseBefore) / result.requests;
  return measured;
}

interface Rounds {
  bare: Measured[];
  get: Measured[];
}

/**
 * Bare, get, bare, ..., get, bare: each round of the get between two of the bare route, so each ratio compares the
 * two on the same machine. The machine's speed drifts over a run: the bare route alone read 57 to 90 µs of CPU a
 * request in runs minutes apart, and a baseline measured minutes from the get compared unlike machines.
 */
async function getAgainstBare(
  bare: ServerChild,
  server: ServerChild,
  key: string,
  ids: string[],
  readDatabaseCpu?: () => number,
): Promise<Rounds> {
  const barePaths = pathCycle(ids);
  const getPaths = pathCycle(ids);
  const timing = (first: boolean) => ({ warmup: first ? WARMUP_SECONDS : 1, seconds: ROUND_SECONDS });
  const rounds: Rounds = { bare: [await load(bare, barePaths, undefined, CONNECTIONS, timing(true))], get: [] };
  for (let round = 0; round < RATIO_ROUNDS; round++) {
    rounds.get.push(await load(server, getPaths, key, CONNECTIONS, timing(round === 0), readDatabaseCpu));
    rounds.bare.push(await load(bare, barePaths, undefined, CONNECTIONS, timing(false)));
  }
  return rounds;
}

/** The rounds as one: their answers pooled, CPU per request over all of them. */
function pooled(rounds: Measured[]): Measured {
  const sum = (pick: (m: Measured) => number) => rounds.reduce((total, m) => total + pick(m), 0);
  const requests = sum((m) => m.requests);
  const latenciesMs = new Float64Array(sum((m) => m.latenciesMs.length));
  let at = 0;
  for (const m of rounds) {
    latenciesMs.set(m.latenciesMs, at);
    at += m.latenciesMs.length;
  }
  latenciesMs.sort();
  const database = rounds.every((m) => m.databaseCpuPerRequestMicros !== undefined);
  return {
    requests,
    rps: sum((m) => m.rps) / rounds.length,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    maxMs: latenciesMs[latenciesMs.length - 1]!,
    failed: sum((m) => m.failed),
    latenciesMs,
    cpuPerRequestMicros: sum((m) => m.cpuPerRequestMicros * m.requests) / requests,
    ...(database ? { databaseCpuPerRequestMicros: sum((m) => m.databaseCpuPerRequestMicros! * m.requests) / requests } : {}),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export default async function bench(report: Report): Promise<void> {
  const setting = `c=${CONNECTIONS}, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s`;
  const loadNote = () => `load avg ${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`;
  const figures = (label: string, result: Measured, note = '', timing = setting) => {
    report({ name: `${label} rps`, value: Math.round(result.rps), unit: 'req/s', note: `${timing}; ${loadNote()}${note}` });
    report({ name: `${label} p50`, value: round(result.p50Ms, 3), unit: 'ms' });
    report({
      name: `${label} p99`,
      value: round(result.p99Ms, 3),
      unit: 'ms',
      note: `max ${round(result.maxMs, 1)} ms${result.failed ? `; ${result.failed} requests timed out (30 s) or failed` : ''}`,
    });
    report({
      name: `${label} server CPU per request`,
      value: Math.round(result.cpuPerRequestMicros),
      unit: 'µs',
      note: 'steadier than rps on a busy machine',
    });
    if (result.databaseCpuPerRequestMicros !== undefined) {
      report({
        name: `${label} PostgreSQL CPU per request`,
        value: Math.round(result.databaseCpuPerRequestMicros),
        unit: 'µs',
        note: "all of PostgreSQL's processes on this machine, from /proc",
      });
    }
  };
  const roundsSetting = `c=${CONNECTIONS}, ${RATIO_ROUNDS} rounds of ${ROUND_SECONDS} s (the first after ${WARMUP_SECONDS} s of warm-up, the others 1 s)`;
  /** The get over the bare route in each round (against the mean of the bare rounds either side); the median is the figure. */
  const ratios = (kind: StoreKind, rounds: Rounds) => {
    const pairs = rounds.get.map((get, i) => ({ get, bare: pooled([rounds.bare[i]!, rounds.bare[i + 1]!]) }));
    const byRps = pairs.map(({ get, bare }) => get.rps / bare.rps);
    const byCpu = pairs.map(({ get, bare }) => bare.cpuPerRequestMicros / get.cpuPerRequestMicros);
    const list = (values: number[]) => values.map((v) => round(v, 3)).join(', ');
    report({
      name: `${kind}: get rps / bare rps`,
      value: round(median(byRps), 3),
      unit: 'ratio',
      note: `the median of ${list(byRps)}; target >= ${kind === 'sqlite' ? '0.5' : '0.4'}`,
    });
    // Throughput a saturated core would give, from CPU per request: the same ratio without the machine's other load.
    report({
      name: `${kind}: get / bare by server CPU per request`,
      value: round(median(byCpu), 3),
      unit: 'ratio',
      note: `the median of ${list(byCpu)}${kind === 'postgres' ? " (PostgreSQL's own CPU apart)" : ''}`,
    });
    if (kind === 'postgres') {
      // The same with PostgreSQL's CPU counted as the server's: what a get costs the machine, database included.
      const withDatabase = pairs.map(
        ({ get, bare }) => bare.cpuPerRequestMicros / (get.cpuPerRequestMicros + get.databaseCpuPerRequestMicros!),
      );
      report({
        name: 'postgres: get / bare by server and PostgreSQL CPU per request',
        value: round(median(withDatabase), 3),
        unit: 'ratio',
        note: `the median of ${list(withDatabase)}`,
      });
    }
  };

  const servers: ServerChild[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let bare: ServerChild | null = null;
    let bareBody = 0;
    for (const kind of STORES) {
      const seeded = await seedStore(kind);
      cleanups.push(seeded.cleanup);
      let server: ServerChild | null = null;
      // p99 of each list shape at each size, for the ratio of the largest size over the smallest.
      const series = new Map<string, { size: number; p99: number; cpu: number }[]>();
      for (const size of SIZES) {
        // The server stops while the organization grows: the load is the seed's alone, and the server starts on it.
        if (server) {
          await server.stop();
          servers.splice(servers.indexOf(server), 1);
        }
        const seed = await seeded.growTo(size);
        server = await startServer({ type: 'start', mode: 'app', env: seeded.env }, `api-${kind}`);
        servers.push(server);
        const label = `${kind} @${size.toLocaleString('en-US')}`;
        report({
          name: `${label}: seed to ${size.toLocaleString('en-US')} avatars`,
          value: round(seed.seconds, 1),
          unit: 's',
          note: `store.avatars.insertMany${kind === 'postgres' ? ', vacuum analyze included' : ''}; the seeding process's CPU ${round(seed.cpuSeconds, 1)} s${kind === 'postgres' ? " (+ PostgreSQL's own)" : ' (all of it: SQLite runs in it)'}; ${loadNote()}`,
        });
        const page = await getJson(`${server.url}${LIST_PATH}`, seeded.key);
        if (page.avatars.length !== 50 || page.count !== size)
          throw new Error(`${label} list answered ${page.avatars.length} avatars of ${page.count}`);
        const lastPath = `${LIST_PATH}&after=${await seeded.lastPageCursor()}`;
        const last = await getJson(`${server.url}${lastPath}`, seeded.key);
        if (last.avatars.length !== 50 || last.nextCursor !== null || last.avatars[49]._id !== seeded.ids[0])
          throw new Error(`${label}: the last page by cursor is not the 50 oldest avatars`);
        const named = await getJson(`${server.url}${NAMED_PATH}`, seeded.key);
        const matches = Array.from({ length: Math.min(size, NAMED_SPAN) }, (_, i) => nameOf(i)).filter((name) => name === NAMED).length;
        if (named.count !== matches) throw new Error(`${label}: the name filter counted ${named.count}, not ${matches}`);
        const shapes: [string, string, string][] = [
          ['first page', LIST_PATH, ''],
          ['last page by cursor', lastPath, ''],
          [
            `offset=${DEEP_OFFSET} page`,
            `${LIST_PATH}&offset=${DEEP_OFFSET}`,
            ` (a full page at every size; ${LIST_MAX_OFFSET} is the deepest allowed)`,
          ],
          ['name filter first page', NAMED_PATH, `; the name matches ${matches.toLocaleString('en-US')} (count included)`],
        ];
        // Once, before the first size: the server's code and caches warm on every shape, so the first row is not colder.
        if (series.size === 0) {
          let turn = 0;
          await load(server, () => shapes[turn++ % shapes.length]![1], seeded.key, SIZE_CONNECTIONS, {
            warmup: WARMUP_SECONDS,
            seconds: 1,
          });
        }
        for (const [shape, listPath, note] of shapes) {
          const result = await load(server, () => listPath, seeded.key, SIZE_CONNECTIONS, {
            warmup: SIZE_WARMUP_SECONDS,
            seconds: SIZE_SECONDS,
          });
          report({
            name: `${label}: list ${shape} p99`,
            value: round(result.p99Ms, 3),
            unit: 'ms',
            note: `p50 ${round(result.p50Ms, 3)} ms, ${Math.round(result.rps)} req/s, server CPU ${Math.round(result.cpuPerRequestMicros)} µs a request, c=${SIZE_CONNECTIONS}, ${SIZE_SECONDS} s${note}; ${loadNote()}`,
          });
          series.set(shape, [...(series.get(shape) ?? []), { size, p99: result.p99Ms, cpu: result.cpuPerRequestMicros }]);
        }

        if (size !== AVATARS) continue;
        // The baseline answers the exact body of a real get, parsed, so Fastify serializes it on every request too.
        if (!bare) {
          const sample = await getJson(`${server.url}/api/v1/avatars/${seeded.ids[seeded.ids.length - 1]}`, seeded.key);
          bare = await startServer({ type: 'start', mode: 'bare', body: sample }, 'bare');
          servers.push(bare);
          bareBody = JSON.stringify(sample).length;
        }
        // PostgreSQL's CPU from /proc: the bench's database is local.
        const postgresCpuMicros = () => cpuSecondsNamed('postgres') * 1e6;
        const rounds = await getAgainstBare(bare, server, seeded.key, seeded.ids, kind === 'postgres' ? postgresCpuMicros : undefined);
        figures(
          `bare Fastify route (${kind}'s rounds)`,
          pooled(rounds.bare),
          `; ${bareBody} B body; ${rounds.bare.length} rounds`,
          roundsSetting,
        );
        figures(`${kind}: GET /avatars/:id`, pooled(rounds.get), `; spread over ${Math.min(GET_IDS, AVATARS)} ids`, roundsSetting);
        ratios(kind, rounds);
        const list = await load(server, () => LIST_PATH, seeded.key);
        figures(`${kind}: GET /avatars?limit=50`, list, `; ${AVATARS.toLocaleString('en-US')} avatars in the organization`);
        // The same list one request at a time: its own cost, without the queueing of 16 connections.
        const alone = await load(server, () => LIST_PATH, seeded.key, 1);
        report({
          name: `${kind}: GET /avatars?limit=50, c=1 p50`,
          value: round(alone.p50Ms, 3),
          unit: 'ms',
          note: `${Math.round(alone.rps)} req/s`,
        });
        report({
          name: `${kind}: GET /avatars?limit=50, c=1 p99`,
          value: round(alone.p99Ms, 3),
          unit: 'ms',
          note: `max ${round(alone.maxMs, 1)} ms; target < 10`,
        });
      }
      for (const [shape, points] of series) {
        const small = points[0]!;
        const large = points[points.length - 1]!;
        if (large.size === small.size) continue;
        report({
          name: `${kind}: list ${shape} p99 ${large.size.toLocaleString('en-US')} / ${small.size.toLocaleString('en-US')}`,
          value: round(large.p99 / small.p99, 3),
          unit: 'ratio',
          note: `${round(large.p99, 3)} ms / ${round(small.p99, 3)} ms${shape === 'name filter first page' ? '' : '; target <= 1.5'}; ${loadNote()}`,
        });
        // The same by server CPU per request: what the list costs the server, steadier than p99 on a busy machine.
        report({
          name: `${kind}: list ${shape} server CPU per request ${large.size.toLocaleString('en-US')} / ${small.size.toLocaleString('en-US')}`,
          value: round(large.cpu / small.cpu, 3),
          unit: 'ratio',
          note: `${Math.round(large.cpu)} µs / ${Math.round(small.cpu)} µs${kind === 'postgres' ? " (+ PostgreSQL's own CPU)" : ''}`,
        });
      }

      if (server) {
        report({ name: `${kind}: server RSS at the end`, value: mib(await server.stop()), unit: 'MiB' });
        servers.splice(servers.indexOf(server), 1);
      }
      await seeded.cleanup();
      cleanups.splice(cleanups.indexOf(seeded.cleanup), 1);
    }

    if (bare) {
      report({ name: 'bare Fastify route RSS at the end', value: mib(await bare.stop()), unit: 'MiB' });
      servers.splice(servers.indexOf(bare), 1);
    }
  } finally {
    for (const server of servers) server.kill();
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}
