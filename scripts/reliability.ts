// `npm run reliability [-- section ...]`: the full reliability harness. Bigger storms, thousands of fuzz requests per
// operation and a 60 s load than the default test suite (test/reliability/*.test.ts), with the same code. Prints every
// figure, writes them to test-artifacts/reliability.json, and exits 1 when any scenario found a problem.
// Sections: durability, database, renderer, parts, orphans, live-faults, speech-flood, uploads, fuzz, tenancy, load (all by default).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../test/fixtures.ts';
import { runDurability } from '../test/reliability/harness/durability-run.ts';
import { runDatabaseOutage } from '../test/reliability/harness/database-outage.ts';
import { runRendererFaults } from '../test/reliability/harness/renderer-faults.ts';
import { runMissingFfmpeg } from '../test/reliability/harness/missing-parts.ts';
import { runOrphanRenderers } from '../test/reliability/harness/orphan-renderers.ts';
import { runSpeechFlood } from '../test/reliability/harness/speech-flood.ts';
import { runLiveSessionFaults } from '../test/reliability/harness/live-session-faults.ts';
import { runUploadFlood } from '../test/reliability/harness/upload-flood.ts';
import { fuzzOpenApi } from '../test/reliability/harness/openapi-fuzz.ts';
import { fuzzTarget } from '../test/reliability/harness/fuzz-target.ts';
import { runTenancyMatrix } from '../test/reliability/harness/tenancy-matrix.ts';
import { matrixServer } from '../test/reliability/harness/matrix-server.ts';
import { findSustainableConnections, mixedLoad } from '../test/reliability/harness/mixed-load.ts';
import { createDataTarget } from '../test/reliability/harness/data-target.ts';
import { startApiProcess } from '../test/reliability/harness/api-process.ts';
import { seedAvatars } from '../bench/api-seed.ts';

const env = process.env;
const FUZZ_RUNS = Number(env.RELIABILITY_FUZZ_RUNS || 2000);
const LOAD_SECONDS = Number(env.RELIABILITY_LOAD_SECONDS || 60);
const LOAD_AVATARS = Number(env.RELIABILITY_LOAD_AVATARS || 10_000);
const KILLS = Number(env.RELIABILITY_KILLS || 5);
const P99_TARGET_MS = 50;

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (x: number) => Math.round(x * 100) / 100;

type Section = () => Promise<{ figures: Record<string, unknown>; problems: string[] }>;

const sections: Record<string, Section> = {
  async durability() {
    const figures: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      const r = await runDurability({ kind, kills: KILLS, stormMs: 4000, workers: 12, avatarsPerWorker: 6 });
      figures[kind] = {
        kills: r.kills,
        acknowledged: r.counts,
        avatarsTracked: r.avatarsTracked,
        restartMs: r.restartMs,
        integrity: r.integrity,
        lostOrImpossible: r.problems.length,
      };
      problems.push(...r.problems.map((p) => `${kind}: ${p}`));
    }
    return { figures, problems };
  },
  async database() {
    const r = await runDatabaseOutage({ downMs: 8000, beforeMs: 3000, afterMs: 8000, workers: 8 });
    return {
      figures: {
        requests: r.requests,
        duringStatuses: r.duringStatuses,
        duringMaxMs: r.duringMaxMs,
        recoveryMs: r.recoveryMs,
        readyz: r.readyz,
      },
      problems: r.problems,
    };
  },
  async renderer() {
    const r = await runRendererFaults({ previewTimeoutMs: 3000, recoveryLimitMs: 30_000 });
    return { figures: { previewTimeoutMs: 3000, faults: r.faults }, problems: r.problems };
  },
  async parts() {
    // No ffmpeg on the API's PATH: the API stays ready and says why, in its log, /readyz and a preview's 503.
    const r = await runMissingFfmpeg();
    return {
      figures: {
        readyz: { status: r.readyz.status, body: r.readyz.body, checkedMs: r.readyz.checkedMs },
        warnings: r.warnings.map((w) => w.msg),
        preview: { status: r.preview.status, body: r.preview.body, ms: Math.round(r.preview.ms) },
        deploymentState: r.deploymentState,
      },
      problems: r.problems,
    };
  },
  async orphans() {
    // A renderer outlives its API, is adopted by the next start, and stops itself once no API has called for 10 s.
    const { problems, ...figures } = await runOrphanRenderers({ orphanSeconds: 10 });
    return { figures: { orphanSeconds: 10, ...figures }, problems };
  },
  async 'live-faults'() {
    // Issue 16: a 2 s blip on the agent's connection, the API SIGKILLed mid-speech, the renderer SIGKILLed mid-speech.
    const { figures, problems } = await runLiveSessionFaults({ newSessionLimitMs: 10_000 });
    return { figures: { ...figures }, problems };
  },
  async 'speech-flood'() {
    // 64 KiB chunks as fast as TCP allows into one live session, while another session on the same renderer draws.
    const { problems, ...figures } = await runSpeechFlood({ rounds: Number(env.RELIABILITY_FLOOD_ROUNDS || 10) });
    return { figures, problems };
  },
  async uploads() {
    // Issue 12: 8 parallel uploads of a 14.7 MB VRM with 780,000 nodes; light requests must stay fast, RSS bounded.
    const { problems, ...figures } = await runUploadFlood({ uploads: Number(env.RELIABILITY_UPLOADS || 8), settleMs: 20_000 });
    return { figures, problems };
  },
  async fuzz() {
    const target = await createDataTarget('sqlite');
    const server = await startApiProcess(target.env);
    try {
      const { key } = await target.makeKey('u_fuzz', 'org_fuzz', ['avatars:read', 'avatars:write', 'keys:admin']);
      const aim = fuzzTarget(server.url, key);
      // A warm-up round first, so the memory figure compares a warm server with itself.
      await fuzzOpenApi(aim, { runs: 100, routerEdges: true });
      const rssBefore = await server.rssBytes();
      const t0 = performance.now();
      const r = await fuzzOpenApi(aim, { runs: FUZZ_RUNS, routerEdges: true });
      const seconds = (performance.now() - t0) / 1000;
      const rssAfter = await server.rssBytes();
      // The same problem from many inputs: each once, with how often.
      const counts = new Map<string, number>();
      for (const p of r.problems) {
        const shape = p
          .replace(/avt_[A-Za-z0-9]+/g, 'avt_…')
          .replace(/\s\S+ \[[^\]]*\] .*?: /, ' … : ')
          .slice(0, 240);
        counts.set(shape, (counts.get(shape) ?? 0) + 1);
      }
      return {
        figures: {
          runsPerOperation: FUZZ_RUNS,
          operations: r.operations.length,
          requests: r.requests,
          seconds: round(seconds),
          rssBeforeMiB: mib(rssBefore),
          rssAfterMiB: mib(rssAfter),
          statuses: Object.fromEntries(r.operations.map((o) => [o.operation, o.statuses])),
        },
        problems: [...counts].map(([p, n]) => `${p} (x${n})`),
      };
    } finally {
      await server.stop();
      await target.remove();
    }
  },
  async tenancy() {
    const figures: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      const target = await createDataTarget(kind);
      const server = await startApiProcess(target.env);
      const store = await target.open();
      try {
        const r = await runTenancyMatrix(matrixServer(server.url, store));
        figures[kind] = { endpoints: r.endpoints, keys: r.keys, requests: r.cells };
        problems.push(...r.problems.map((p) => `${kind}: ${p}`));
      } finally {
        await store.close();
        await server.stop();
        await target.remove();
      }
    }
    return { figures, problems };
  },
  async load() {
    const target = await createDataTarget('sqlite');
    const store = await target.open();
    const ids = await seedAvatars(store, { organizationId: 'org_load', userIds: ['u_load'], count: LOAD_AVATARS });
    await store.close();
    const { key } = await target.makeKey('u_load', 'org_load', ['avatars:read', 'avatars:write']);
    const server = await startApiProcess({ ...target.env, LOG_LEVEL: 'warn' });
    try {
      const aim = { url: server.url, key, ids: ids.filter((_, i) => i % 10 === 0) };
      const rssStart = await server.rssBytes();
      const { probes, connections } = await findSustainableConnections(aim, P99_TARGET_MS, 5);
      const run = await mixedLoad(aim, connections, LOAD_SECONDS);
      const rssEnd = await server.rssBytes();
      const problems: string[] = [];
      if (run.p99Ms >= P99_TARGET_MS)
        problems.push(`p99 ${round(run.p99Ms)} ms over ${LOAD_SECONDS} s at c=${connections} (target < ${P99_TARGET_MS} ms)`);
      if (run.non2xx > 0 || run.failed > 0)
        problems.push(`${run.non2xx} non-2xx and ${run.failed} failed requests: ${JSON.stringify(run.statuses)}`);
      return {
        figures: {
          avatars: LOAD_AVATARS,
          mix: '60% GET /avatars/:id, 20% GET /avatars?limit=20, 10% PUT, 10% POST',
          probes: probes.map((p) => ({ connections: p.connections, rps: Math.round(p.rps), p99Ms: round(p.p99Ms) })),
          connections,
          seconds: LOAD_SECONDS,
          requests: run.requests,
          rps: Math.round(run.rps),
          p50Ms: round(run.p50Ms),
          p99Ms: round(run.p99Ms),
          maxMs: round(run.maxMs),
          rssStartMiB: mib(rssStart),
          rssEndMiB: mib(rssEnd),
          loadAverage: round(os.loadavg()[0]!),
          cores: os.cpus().length,
        },
        problems,
      };
    } finally {
      await server.stop();
      await target.remove();
    }
  },
};

const chosen = process.argv.slice(2).filter((a) => a !== '--');
const names = chosen.length ? chosen : Object.keys(sections);
const unknown = names.filter((n) => !(n in sections));
if (unknown.length) {
  console.error(`Unknown section(s) ${unknown.join(', ')}; choose from ${Object.keys(sections).join(', ')}.`);
  process.exit(2);
}
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version, cores: os.cpus().length };
let failed = false;
for (const name of names) {
  const t0 = performance.now();
  console.log(`\n== ${name}`);
  try {
    const { figures, problems } = await sections[name]!();
    results[name] = { seconds: round((performance.now() - t0) / 1000), figures, problems };
    console.log(JSON.stringify(figures, null, 2));
    console.log(problems.length ? `PROBLEMS (${problems.length}):\n  ${problems.slice(0, 40).join('\n  ')}` : 'no problems');
    if (problems.length) failed = true;
  } catch (error) {
    failed = true;
    results[name] = { error: String((error as Error).stack ?? error) };
    console.log(`FAILED TO RUN: ${(error as Error).stack ?? error}`);
  }
}
const out = path.join(ROOT_DIR, 'test-artifacts', 'reliability.json');
await fs.mkdir(path.dirname(out), { recursive: true });
await fs.writeFile(out, JSON.stringify(results, null, 2));
console.log(`\nfigures written to ${path.relative(process.cwd(), out)}`);
process.exit(failed ? 1 : 0);
