import fs from 'node:fs';
import { startTestServer } from '../test/harness/test-server.ts';
import { PORTRAIT_FIXTURES } from '../test/fixtures.ts';

type Report = (row: { name: string; value: number; unit: string; note?: string }) => void;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Tier 2/3 deployments through the API on the local orchestrator: time from POST /deploy to
 * `running`, and POST /preview latency for a 3 s clip, beside the same clip asked of the
 * rendering container directly (the baseline: what the API adds is the ratio).
 */
export default async function bench(report: Report): Promise<void> {
  const server = await startTestServer('sqlite');
  try {
    const key = await server.makeKey('bench', 'org');
    const avatar = (await server.api('POST', '/api/v1/avatars', { key, body: { name: 'Bench', tier: 'animated_portrait' } })).body;
    await server.api('POST', `/api/v1/avatars/${avatar._id}/source`, {
      key,
      raw: fs.readFileSync(PORTRAIT_FIXTURES.astronaut),
      headers: { 'content-type': 'image/png' },
    });
    const get = async () => (await server.api('GET', `/api/v1/avatars/${avatar._id}`, { key })).body;
    const until = async (done: (a: any) => boolean) => {
      for (;;) {
        const a = await get();
        if (done(a)) return a;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until((a) => a.status === 'ready');

    const deployTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await server.api('POST', `/api/v1/avatars/${avatar._id}/deploy`, { key });
      await until((a) => a.deployment.state === 'running');
      deployTimes.push(performance.now() - started);
      if (i < 2) {
        await server.api('POST', `/api/v1/avatars/${avatar._id}/undeploy`, { key });
        await until((a) => a.deployment.state === 'stopped');
      }
    }
    report({ name: 'deploy to running (median of 3)', value: Math.round(median(deployTimes)), unit: 'ms' });

    const running = await get();
    const secret = (await server.server.services.store.db.selectFrom('deployments').select('secret').executeTakeFirstOrThrow()).secret;
    const direct: number[] = [];
    const viaApi: number[] = [];
    for (let i = 0; i < 5; i++) {
      let started = performance.now();
      const clip = await fetch(`${running.renderingEndpoint}/preview`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: '{"durationSeconds":3}',
      });
      await clip.arrayBuffer();
      direct.push(performance.now() - started);
      started = performance.now();
      const answer = await server.api('POST', `/api/v1/avatars/${avatar._id}/preview`, { key });
      if (answer.status !== 200) throw new Error(`preview answered ${answer.status}`);
      viaApi.push(performance.now() - started);
    }
    report({ name: 'preview 3 s clip via the API (median of 5)', value: Math.round(median(viaApi)), unit: 'ms' });
    report({ name: 'baseline: same clip from the container directly', value: Math.round(median(direct)), unit: 'ms' });
    report({
      name: 'API preview / direct',
      value: Number((median(viaApi) / median(direct)).toFixed(2)),
      unit: 'x',
      note: 'what storing the clip and the API hop add',
    });
  } finally {
    await server.close();
  }
}
