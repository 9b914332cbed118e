import { describe, expect, it } from 'vitest';
import { runLiveSessionFaults } from './harness/live-session-faults.ts';

describe('live sessions under faults (real API, renderer and Chromium processes)', () => {
  it('survives a 2 s network blip and an API SIGKILL without losing the session, and reports a renderer crash', async () => {
    const { figures, problems } = await runLiveSessionFaults();
    expect(problems).toEqual([]);
    expect(figures.blip.droppedMs).toBeGreaterThan(0);
    expect(figures.apiRestart.viewerFrames).toBeGreaterThan(0);
  }, 240_000);
});
