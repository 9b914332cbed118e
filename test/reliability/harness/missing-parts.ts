// A machine without ffmpeg: `avatars serve` with a PATH that holds node only. The API must stay ready (Tier 1 renders
// in the browser) and say what is missing: one warning in its log, the failed check in /readyz (200, degraded), and a
// deployed portrait's preview answering the contract's 503 with a `reason` naming ffmpeg, while the deployment runs.
import { RENDERER_NOT_DEPLOYED } from '../../../src/domain/errors.ts';
import { FFMPEG_MISSING } from '../../../renderer/encoder/ffmpeg-part.ts';
import { nodeOnlyPath } from '../../harness/node-only-path.ts';
import { startApiProcess, type ApiProcess } from './api-process.ts';
import { createDataTarget, type DataTarget } from './data-target.ts';
import { apiCaller, deployAndWaitRunning, readyPortrait, type TimedAnswer, waitFor } from './portrait-api.ts';

export interface ApiWithoutFfmpeg {
  server: ApiProcess;
  target: DataTarget;
  /** A key with avatars:read and avatars:write. */
  key: string;
  /** Stops the server and removes its data and the PATH folder. */
  remove(): Promise<void>;
}

/** `avatars serve` on a fresh SQLite DATA_DIR with ffmpeg hidden from its PATH (and so from its renderers'). */
export async function startApiWithoutFfmpeg(env: Record<string, string> = {}): Promise<ApiWithoutFfmpeg> {
  const bin = await nodeOnlyPath();
  const target = await createDataTarget('sqlite');
  const { key } = await target.makeKey('u_parts', 'org_parts', ['avatars:read', 'avatars:write']);
  const server = await startApiProcess({ ...target.env, PATH: bin.path, LOG_LEVEL: 'warn', RECONCILE_INTERVAL_MS: '300', ...env });
  return {
    server,
    target,
    key,
    async remove() {
      await server.stop();
      await target.remove();
      await bin.remove();
    },
  };
}

export interface MissingFfmpegResult {
  /** /readyz once the parts were checked, and how long after the API listened that was. */
  readyz: { status: number; body: any; checkedMs: number | null };
  /** The API's warnings about missing parts (log lines at level 40 with a `part`). */
  warnings: Record<string, unknown>[];
  /** The deployed portrait's preview, its deployment state just after, and the API's log line about it. */
  preview: TimedAnswer;
  deploymentState: string;
  previewLog: Record<string, unknown> | null;
  problems: string[];
}

export async function runMissingFfmpeg(): Promise<MissingFfmpegResult> {
  const api = await startApiWithoutFfmpeg();
  try {
    const call = apiCaller(api.server.url, api.key);
    let readyz = { status: 0, body: null as any };
    const checkedMs = await waitFor(async () => {
      const response = await fetch(`${api.server.url}/readyz`);
      readyz = { status: response.status, body: await response.json() };
      return readyz.body.checks?.ffmpeg?.ok !== null;
    }, 60_000);
    const warnings = api.server.logLines().filter((line) => line.level === 40 && line.part);

    const id = await readyPortrait(call, 'no ffmpeg');
    await deployAndWaitRunning(call, id);
    const preview = await call('POST', `/api/v1/avatars/${id}/preview`);
    const deploymentState = (await call('GET', `/api/v1/avatars/${id}`)).body.deployment.state;
    const previewLog = api.server.logLines().find((line) => line.level === 50 && 'reason' in line) ?? null;

    const problems: string[] = [];
    const expectedChecks = {
      database: { ok: true },
      renderer: { ok: true },
      ffmpeg: { ok: false, reason: FFMPEG_MISSING.notFound },
    };
    if (readyz.status !== 200 || readyz.body.status !== 'degraded' || JSON.stringify(readyz.body.checks) !== JSON.stringify(expectedChecks))
      problems.push(`/readyz answered ${readyz.status} ${JSON.stringify(readyz.body)}`);
    if (warnings.length !== 1 || warnings[0].part !== 'ffmpeg' || !String(warnings[0].msg).includes(FFMPEG_MISSING.notFound))
      problems.push(`the API warned ${JSON.stringify(warnings)}`);
    const body = preview.body;
    if (
      preview.status !== 503 ||
      body.error !== RENDERER_NOT_DEPLOYED ||
      body.code !== 'service-unavailable' ||
      body.reason !== FFMPEG_MISSING.notFound
    )
      problems.push(`the preview answered ${preview.status} ${JSON.stringify(body)}`);
    if (deploymentState !== 'running') problems.push(`the deployment was ${deploymentState} after the preview`);
    if (previewLog?.reason !== FFMPEG_MISSING.notFound) problems.push(`the API logged the preview as ${JSON.stringify(previewLog)}`);
    return { readyz: { ...readyz, checkedMs }, warnings, preview, deploymentState, previewLog, problems };
  } finally {
    await api.remove();
  }
}
