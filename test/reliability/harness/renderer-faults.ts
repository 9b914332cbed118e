// The renderer-fault scenario: a deployed portrait's rendering container killed, hung (SIGSTOP: alive, silent)
// and slow (stopped for longer than the preview timeout, then resumed). Preview must answer 503 within its
// timeout, the reconciler must bring the container back, and the API's other requests must not wait on it.
import fs from 'node:fs';
import path from 'node:path';
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { createDataTarget } from './data-target.ts';
import { apiCaller, readyPortrait, sleep, waitFor } from './portrait-api.ts';

export interface RendererFaultOptions {
  previewTimeoutMs: number;
  /** How long to wait for the reconciler to bring a container back. */
  recoveryLimitMs: number;
}

export interface FaultFigures {
  fault: 'killed' | 'hung' | 'slow';
  /** Status and time of the preview asked during the fault. */
  previewStatus: number;
  previewMs: number;
  /** GET /avatars/:id answered while that preview was pending: count, slowest, statuses. */
  otherRequests: { count: number; maxMs: number; p50Ms: number; non200: number };
  /** From the fault to the container answering previews again (null: not within the limit). */
  recoveredMs: number | null;
}

export interface RendererFaultResult {
  faults: FaultFigures[];
  problems: string[];
}

export async function runRendererFaults(options: RendererFaultOptions): Promise<RendererFaultResult> {
  const target = await createDataTarget('sqlite');
  let server: ApiProcess | null = null;
  const stopped: number[] = [];
  try {
    const { key } = await target.makeKey('u_render', 'org_render', ['avatars:read', 'avatars:write']);
    server = await startApiProcess({
      ...target.env,
      PREVIEW_TIMEOUT_MS: String(options.previewTimeoutMs),
      RECONCILE_INTERVAL_MS: '300',
      RENDERER_START_TIMEOUT_MS: '8000',
    });
    const api = apiCaller(server.url, key);
    const avatar = { _id: await readyPortrait(api, 'faulty') };
    await api('POST', `/api/v1/avatars/${avatar._id}/deploy`);
    const previewWorks = async () => (await api('POST', `/api/v1/avatars/${avatar._id}/preview`)).status === 200;
    if ((await waitFor(previewWorks, 60_000)) === null) throw new Error('the renderer did not start within 60 s');
    const pidNow = () =>
      (JSON.parse(fs.readFileSync(path.join(target.dataDir, 'renderers', `${avatar._id}.json`), 'utf8')) as { pid: number }).pid;

    const problems: string[] = [];
    const faults: FaultFigures[] = [];
    const underFault = async (fault: FaultFigures['fault'], inject: (pid: number) => void, release?: (pid: number) => void) => {
      const pid = pidNow();
      inject(pid);
      // Other requests keep flowing while the preview waits on the sick container.
      const latencies: number[] = [];
      let non200 = 0;
      let pending = true;
      const others = (async () => {
        while (pending) {
          const answer = await api('GET', `/api/v1/avatars/${avatar._id}`);
          latencies.push(answer.ms);
          if (answer.status !== 200) non200++;
          await sleep(25);
        }
      })();
      const preview = await api('POST', `/api/v1/avatars/${avatar._id}/preview`);
      pending = false;
      await others;
      if (release) setTimeout(() => release(pid), 0);
      const recoveredIn = await waitFor(previewWorks, options.recoveryLimitMs);
      latencies.sort((a, b) => a - b);
      const figures: FaultFigures = {
        fault,
        previewStatus: preview.status,
        previewMs: Math.round(preview.ms),
        otherRequests: {
          count: latencies.length,
          maxMs: Math.round(latencies.at(-1) ?? 0),
          p50Ms: Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0),
          non200,
        },
        recoveredMs: recoveredIn,
      };
      faults.push(figures);
      if (preview.status !== 503 || preview.body.code !== 'service-unavailable')
        problems.push(`${fault}: preview answered ${preview.status} ${JSON.stringify(preview.body)}`);
      // "Within its timeout": the configured timeout plus the API's own work around it.
      if (preview.ms > options.previewTimeoutMs + 1500)
        problems.push(`${fault}: preview took ${Math.round(preview.ms)} ms, timeout ${options.previewTimeoutMs} ms`);
      if (non200 > 0) problems.push(`${fault}: ${non200} other requests failed while the preview waited`);
      if (recoveredIn === null)
        problems.push(`${fault}: the container was not serving previews again within ${options.recoveryLimitMs} ms`);
    };

    await underFault('killed', (pid) => process.kill(pid, 'SIGKILL'));
    await underFault(
      'slow',
      (pid) => {
        stopped.push(pid);
        process.kill(pid, 'SIGSTOP');
      },
      // Resumed only after the preview gave up: a container slower than the timeout, then fine again.
      (pid) => {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          /* gone */
        }
      },
    );
    // Last: a container that never answers again is not replaced today (see docs/reliability.md).
    await underFault('hung', (pid) => {
      stopped.push(pid);
      process.kill(pid, 'SIGSTOP');
    });
    return { faults, problems };
  } finally {
    // A stopped process cannot act on SIGTERM: wake every one we stopped before the server stops them.
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        /* gone */
      }
    }
    await server?.stop();
    await target.remove();
  }
}
