// Local renderers outlive the API (RENDERERS_STOP_WITH_API unset), to be adopted when it starts again, but not forever:
// one that no API calls for RENDERER_ORPHAN_SECONDS stops itself. Real processes: `avatars serve` deploys a portrait,
// is stopped (SIGTERM, as Ctrl-C does to the API) and started again within the orphan time: the new API must adopt
// the same renderer and keep it (its health probes carry the secret) past that time. Then the API is SIGKILLed: the
// renderer must stop by itself once the orphan time has passed, and not before.
import fs from 'node:fs';
import path from 'node:path';
import { alive } from '../../harness/processes.ts';
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { createDataTarget } from './data-target.ts';
import { apiCaller, deployAndWaitRunning, readyPortrait, sleep, waitFor } from './portrait-api.ts';

export interface OrphanRendererOptions {
  orphanSeconds: number;
}

export interface OrphanRendererResult {
  /** From starting the API again to the deployment running on the adopted renderer. */
  adoptedMs: number | null;
  /** Whether the renderer the first API started is the one the second API runs (same pid, no restart). */
  samePid: boolean;
  restarts: number;
  /** Whether it was still running after the second API had run for the orphan time and more. */
  keptWhileCalled: boolean;
  /** From the SIGKILL of the second API to the renderer's own exit (null: not within the orphan time + 20 s). */
  orphanExitMs: number | null;
  problems: string[];
}

export async function runOrphanRenderers(options: OrphanRendererOptions): Promise<OrphanRendererResult> {
  const target = await createDataTarget('sqlite');
  const env = {
    ...target.env,
    RENDERERS_STOP_WITH_API: 'false',
    RENDERER_ORPHAN_SECONDS: String(options.orphanSeconds),
    RECONCILE_INTERVAL_MS: '300',
  };
  const orphanMs = options.orphanSeconds * 1000;
  let server: ApiProcess | null = null;
  let pid = 0;
  try {
    const { key } = await target.makeKey('u_orphan', 'org_orphan', ['avatars:read', 'avatars:write']);
    server = await startApiProcess(env);
    let api = apiCaller(server.url, key);
    const id = await readyPortrait(api, 'orphan');
    await deployAndWaitRunning(api, id);
    const recordOf = () => JSON.parse(fs.readFileSync(path.join(target.dataDir, 'renderers', `${id}.json`), 'utf8')) as { pid: number };
    pid = recordOf().pid;

    // The API stops (its renderers stay) and starts again well within the orphan time.
    await server.stop();
    server = await startApiProcess(env);
    api = apiCaller(server.url, key);
    const t0 = Date.now();
    const running = async () => (await api('GET', `/api/v1/avatars/${id}`)).body.deployment?.state === 'running';
    const adoptedMs = (await waitFor(running, orphanMs)) === null ? null : Date.now() - t0;
    const deployment = (await api('GET', `/api/v1/avatars/${id}`)).body.deployment;
    const samePid = recordOf().pid === pid;
    // Adopted and called: it stays past its orphan time.
    await sleep(orphanMs + 4000);
    const keptWhileCalled = alive(pid);

    // The API dies without a word: the renderer is alone now.
    await server.kill();
    const killedAt = Date.now();
    const gone = await waitFor(async () => !alive(pid), orphanMs + 20_000);
    const orphanExitMs = gone === null ? null : Date.now() - killedAt;

    const problems: string[] = [];
    if (adoptedMs === null) problems.push(`the API started again did not run the avatar within ${options.orphanSeconds} s`);
    if (!samePid || deployment?.restarts !== 0) problems.push(`the renderer was not adopted: ${JSON.stringify(deployment)}`);
    if (!keptWhileCalled) problems.push('the adopted renderer stopped while its API was calling it');
    if (orphanExitMs === null) problems.push(`the orphaned renderer was still running ${options.orphanSeconds + 20} s after its API died`);
    else if (orphanExitMs < orphanMs - 1500) problems.push(`the orphaned renderer stopped after ${orphanExitMs} ms, before its time`);
    return { adoptedMs, samePid, restarts: deployment?.restarts, keptWhileCalled, orphanExitMs, problems };
  } finally {
    await server?.stop();
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    await target.remove();
  }
}
