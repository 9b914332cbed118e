import { describe, expect, it } from 'vitest';
import { FFMPEG_MISSING } from '../../renderer/encoder/ffmpeg-part.ts';
import { runMissingFfmpeg } from './harness/missing-parts.ts';

describe('a machine without ffmpeg (the API process with a PATH that holds node only)', () => {
  it('stays ready and says so: one warning, /readyz degraded, and a preview 503 with the reason while the deployment runs', async () => {
    const result = await runMissingFfmpeg();
    expect(result.problems).toEqual([]);
    expect(result.readyz.status).toBe(200);
    expect(result.readyz.body).toEqual({
      status: 'degraded',
      database: 'sqlite',
      checks: { database: { ok: true }, renderer: { ok: true }, ffmpeg: { ok: false, reason: FFMPEG_MISSING.notFound } },
    });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ part: 'ffmpeg', reason: FFMPEG_MISSING.notFound });
    expect(result.preview.status).toBe(503);
    expect(result.preview.body).toEqual({
      error: 'Avatar rendering container not deployed. Deploy the avatar first.',
      code: 'service-unavailable',
      reason: FFMPEG_MISSING.notFound,
    });
    expect(result.deploymentState).toBe('running');
    expect(result.previewLog).toMatchObject({ reason: FFMPEG_MISSING.notFound });
  }, 180_000);
});
