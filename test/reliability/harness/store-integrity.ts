// The store's integrity after a crash: SQLite's own check, and every blob an avatar points at exists on disk.
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Store } from '../../../src/store/database.ts';

export interface IntegrityReport {
  avatars: number;
  /** Keys checked in the blob store (sources and portrait artifacts). */
  blobKeys: number;
  /** Empty when the store is sound; otherwise one sentence per problem. */
  problems: string[];
}

/** `blobRoot` is DATA_DIR/blobs (the local blob store). */
export async function checkStoreIntegrity(store: Store, blobRoot: string): Promise<IntegrityReport> {
  const problems: string[] = [];
  if (store.dialect === 'sqlite') {
    const rows = (await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db)).rows;
    const verdict = rows.map((r) => r.integrity_check).join('; ');
    if (verdict !== 'ok') problems.push(`pragma integrity_check: ${verdict}`);
    const fk = (await sql`pragma foreign_key_check`.execute(store.db)).rows;
    if (fk.length > 0) problems.push(`pragma foreign_key_check: ${JSON.stringify(fk)}`);
  }
  const avatars = await store.db
    .selectFrom('avatars')
    .select(['id', 'status', 'render_style', 'source_key', 'artifact', 'preprocessed'])
    .execute();
  let blobKeys = 0;
  const expectBlob = (id: string, what: string, key: string) => {
    blobKeys++;
    if (!fs.existsSync(path.join(blobRoot, key))) problems.push(`avatar ${id}: its ${what} ${key} is missing from the blob store`);
  };
  for (const avatar of avatars) {
    if (avatar.source_key) expectBlob(avatar.id, 'source', avatar.source_key);
    if (avatar.artifact) {
      let artifact: { imageKey?: string; faceKey?: string };
      try {
        artifact = JSON.parse(avatar.artifact);
      } catch {
        problems.push(`avatar ${avatar.id}: artifact is not JSON`);
        continue;
      }
      for (const [what, key] of [
        ['artifact image', artifact.imageKey],
        ['artifact face', artifact.faceKey],
      ] as const) {
        if (typeof key === 'string') expectBlob(avatar.id, what, key);
        else problems.push(`avatar ${avatar.id}: artifact has no ${what} key`);
      }
    }
    const needsSource = avatar.status === 'preprocessing' || (avatar.status === 'ready' && avatar.render_style !== 'orb');
    if (needsSource && !avatar.source_key) problems.push(`avatar ${avatar.id}: status ${avatar.status} without a source`);
    if (avatar.preprocessed && !avatar.artifact) problems.push(`avatar ${avatar.id}: preprocessed without an artifact`);
  }
  return { avatars: avatars.length, blobKeys, problems };
}
