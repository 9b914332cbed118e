import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { prepareAstronaut } from './astronaut-portrait.ts';
import { startRenderer, waitHealthy } from './renderer-process.ts';

describe('a renderer tied to its parent (RENDERER_PARENT_PID)', () => {
  it('leaves by itself once the parent is gone, even when the parent was killed', async () => {
    const portrait = await prepareAstronaut();
    const parent = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const renderer = await startRenderer({
      RENDERER_SECRET: 'parent-watch-secret',
      AVATAR_ID: 'avt_parentWatch00001',
      PORTRAIT_IMAGE: portrait.imagePath,
      PORTRAIT_FACE: portrait.facePath,
      RENDERER_PARENT_PID: String(parent.pid),
    });
    try {
      await waitHealthy(renderer.baseUrl);
      // Still up while the parent lives.
      await new Promise((r) => setTimeout(r, 1500));
      expect(renderer.child.exitCode).toBeNull();
      parent.kill('SIGKILL');
      const code = await Promise.race([renderer.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
      expect(code).toBe(0);
    } finally {
      parent.kill('SIGKILL');
      await renderer.stop();
    }
  });
});
