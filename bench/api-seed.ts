// Fills one organization with avatars fast, for the API bench, through the store's bulk insert (insertMany). The
// rows are the API's own: one avatar of each kind is made by the real createAvatar verb, and the bulk is copies of
// those records (new id, name, owner and time), so the columns hold whatever the store writes today.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createLocalBlobStore } from '../src/blobs/local-blob-store.ts';
import { loadConfig } from '../src/config.ts';
import { createAvatar, type CreateAvatarInput } from '../src/domain/avatars/create-avatar.ts';
import { UploadGate } from '../src/domain/avatars/upload-gate.ts';
import type { Ctx } from '../src/domain/context.ts';
import type { AvatarRecord } from '../src/store/avatars.ts';
import type { Store } from '../src/store/database.ts';

/** Records built and inserted per call (one transaction each): bounded memory at a million. */
const RECORDS_PER_CALL = 50_000;

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
  /** The i-th avatar's name (default `avatar <i>`). */
  nameOf?: (i: number) => string;
  /** The index of the first avatar inserted (to grow a seeded organization by another call); default 0. */
  firstIndex?: number;
}

/** Inserts `count` avatars, oldest first (seq order); answers their ids in insertion order. */
export async function seedAvatars(store: Store, options: SeedOptions): Promise<string[]> {
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
  const templates: AvatarRecord[] = [];
  for (const input of KINDS) {
    const id = (await createAvatar(ctx, input))._id;
    templates.push((await store.avatars.findById(id))!);
    await store.avatars.delete(id);
  }

  const nameOf = options.nameOf ?? ((i: number) => `avatar ${i}`);
  const ids: string[] = [];
  const newId = avatarIds();
  const firstIndex = options.firstIndex ?? 0;
  // The i-th avatar was made i seconds after a start far enough back for the largest bench (ten million).
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  for (let first = 0; first < options.count; first += RECORDS_PER_CALL) {
    const records = Array.from({ length: Math.min(RECORDS_PER_CALL, options.count - first) }, (_, k): AvatarRecord => {
      const i = firstIndex + first + k;
      const at = new Date(start + i * 1000).toISOString();
      const id = newId.next();
      ids.push(id);
      const userId = options.userIds[i % options.userIds.length]!;
      return { ...templates[i % templates.length]!, id, name: nameOf(i), userId, createdAt: at, updatedAt: at };
    });
    await store.avatars.insertMany(records);
  }
  return ids;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Avatar ids as newAvatarId makes them (`avt_` and 16 uniform base62 characters), drawn from large random buffers:
 * one randomBytes call per id would cost seconds at a million.
 */
function avatarIds() {
  let pool = randomBytes(0);
  let at = 0;
  return {
    next(): string {
      let id = 'avt_';
      while (id.length < 20) {
        if (at === pool.length) [pool, at] = [randomBytes(1 << 16), 0];
        const byte = pool[at++]!;
        if (byte < 248) id += BASE62[byte % 62];
      }
      return id;
    },
  };
}
