import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * A PATH with node (a link to the one running) and nothing else, for a server started without ffmpeg: the API and
 * its renderers need no other program, and every other one (ffmpeg first) is hidden.
 */
export async function nodeOnlyPath(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'avatars-node-only-'));
  await fs.symlink(process.execPath, path.join(dir, 'node'));
  return { path: dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
