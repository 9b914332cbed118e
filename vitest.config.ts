import { configDefaults, defineConfig } from 'vitest/config';

const ALL = [
  'src/**/*.test.ts',
  'contract/**/*.test.ts',
  'renderer/**/*.test.ts',
  'lipsync/**/*.test.ts',
  'test/**/*.test.ts',
  'plugins/**/*.test.ts',
];
/**
 * Files that check real-time media (frames a second, audio heard against the clock, words against the mouth) over a
 * real LiveKit server or in Chromium: on two cores, another file's renderers beside them skip their frames and stall
 * their audio, and a check that holds on a quiet machine fails by chance. They run after the rest, one at a time.
 */
const REAL_TIME = [
  'test/livekit/**/*.test.ts',
  'test/api/livekit-sessions.test.ts',
  'plugins/livekit-agents-node/**/*.test.ts',
  'test/web/face-motion.test.ts',
  'test/web/livekit-viewer.test.ts',
  'test/renderer/whep-viewer.test.ts',
  'test/renderer/frame-output.test.ts',
];

export default defineConfig({
  test: {
    // Real processes (renderers, Chromium, ffmpeg) on two shared cores: generous guards against hangs, not timings.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // A poll waits for the page or the server to catch up; 1 s (vitest's default) was one slow frame on a loaded run.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      {
        extends: true,
        // Two cores: files run in parallel two at a time; each file isolates its own database.
        test: {
          name: 'parallel',
          include: ALL,
          exclude: [...configDefaults.exclude, ...REAL_TIME],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'real-time', include: REAL_TIME, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
