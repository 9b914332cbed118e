import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'contract/**/*.test.ts',
      'renderer/**/*.test.ts',
      'lipsync/**/*.test.ts',
      'test/**/*.test.ts',
      'plugins/**/*.test.ts',
    ],
    // Real processes (renderers, Chromium, ffmpeg) on two shared cores: generous guards against hangs, not timings.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores: files run in parallel two at a time; each file isolates its own database.
    maxWorkers: 2,
  },
});
