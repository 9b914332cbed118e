// Fills one organization with avatars fast, for the API bench. The rows are the API's own: one avatar of each
// kind is made by the real createAvatar verb, and the bulk is copies of those rows (new id, name, owner and
// time) inserted many to a statement, so the column encoding is whatever the store writes today.
import os from 'node:os';
import path from 'node:path';
import type { Selectable } from 'kysely';
import { createLocalBlobStore } from '../src/blobs/local-blob-store.ts';
import { loadConfig } from '../src/config.ts';
import { createAvatar, type CreateAvatarInput } from '../src/domain/avatars/create-avatar.ts';
import type { Ctx } from '../src/domain/context.ts';
import { newAvatarId } from '../src/domain/ids.ts';
import type { Store } from '../src/store/database.ts';
import type { AvatarsTable } from '../src/store/schema.ts';
import { UploadGate } from '../src/domain/avatars/upload-gate.ts';

/** Under SQLite's 32,766 bound parameters and PostgreSQL's 65,535 with room for more columns. */
const ROWS_PER_STATEMENT = 1000;
const ROWS_PER_TRANSACTION = 5000;

const KINDS: CreateAvatarInput[] = [
  { name: 'template', tier: 'stylized_3d' },
  { name: 'template', tier: 'stylized_3d', renderStyle: 'orb' },
  { name: 'template', tier: 'animated_portrait' },
  { name: 'template', tier: 'realtime_lipsync' },
];

export interface SeedOptions {
  organizationId: string;
  /** Owners, taken in turn; all in the organization. */
  userIds: string[];
  count: number;
}

/** Inserts `count` avatars, oldest first; answers their ids in insertion order. */
export async function seedAvatars(store: Store, options: SeedOptions): Promise<string[]> {
  const { db } = store;
  const config = loadConfig({ DATA_DIR: os.tmpdir(), LOG_LEVEL: 'silent' });
  const ctx: Ctx = {
    actor: { keyId: 'ak_bench', userId: options.userIds[0]!, organizationId: options.organizationId, scopes: ['avatars:write'] },
    services: {
      store,
      config,
      blobs: createLocalBlobStore({ root: path.join(os.tmpdir(), 'avatars-bench-unused-blobs'), publicUrl: config.publicUrl }),
      background: { wake() {}, nextPass: () => new Promise(() => {}) },
      uploads: new UploadGate(config.uploads),
    },
  };
  const templateIds: string[] = [];
  for (const input of KINDS) templateIds.push((await createAvatar(ctx, input))._id);
  const templates = await db.selectFrom('avatars').selectAll().where('id', 'in', templateIds).execute();
  await db.deleteFrom('avatars').where('id', 'in', templateIds).execute();

  const ids: string[] = [];
  const start = Date.now() - options.count * 1000;
  const rowAt = (i: number): Omit<Selectable<AvatarsTable>, 'seq'> => {
    const { seq: _seq, ...template } = templates[i % templates.length]!;
    const at = new Date(start + i * 1000).toISOString();
    const id = newAvatarId();
    ids.push(id);
    return { ...template, id, name: `avatar ${i}`, user_id: options.userIds[i % options.userIds.length]!, created_at: at, updated_at: at };
  };
  for (let first = 0; first < options.count; first += ROWS_PER_TRANSACTION) {
    await db.transaction().execute(async (trx) => {
      const end = Math.min(first + ROWS_PER_TRANSACTION, options.count);
      for (let i = first; i < end; i += ROWS_PER_STATEMENT) {
        const rows = Array.from({ length: Math.min(ROWS_PER_STATEMENT, end - i) }, (_, k) => rowAt(i + k));
        await trx.insertInto('avatars').values(rows).execute();
      }
    });
  }
  return ids;
}
