// What the domain verbs and background tasks run on in tests that call them directly: the services around one store,
// the record of a portrait avatar that preprocessing has finished, and that of a live WHEP session on it.
import { createBlobStore } from '../../src/blobs/create-blob-store.ts';
import type { loadConfig } from '../../src/config.ts';
import { UploadGate } from '../../src/domain/avatars/upload-gate.ts';
import type { Services } from '../../src/domain/context.ts';
import { newAvatarId } from '../../src/domain/ids.ts';
import type { AvatarRecord } from '../../src/store/avatars.ts';
import type { LiveSessionRecord } from '../../src/store/live-sessions.ts';
import type { Store } from '../../src/store/database.ts';

/** The services of `store` with `config`'s blob store; no background loop runs (tests drive the tasks themselves). */
export function storeServices(store: Store, config: ReturnType<typeof loadConfig>): Services {
  return {
    store,
    config,
    blobs: createBlobStore(config),
    background: { wake() {}, nextPass: () => new Promise(() => {}) },
    uploads: new UploadGate(config.uploads),
  };
}

/** A realtime_lipsync avatar, ready (its artifact written down), owned by `owner` in `org` unless overridden. */
export function readyPortraitRecord(overrides: Partial<AvatarRecord> = {}): AvatarRecord {
  const id = overrides.id ?? newAvatarId();
  const now = new Date().toISOString();
  return {
    id,
    name: 'P',
    description: null,
    tier: 'realtime_lipsync',
    renderStyle: null,
    orbColor: null,
    orbSize: null,
    status: 'ready',
    error: null,
    preprocessed: true,
    resources: { cpu: '2', memory: '8Gi', gpu: 1, gpuType: 'nvidia-a10' },
    config: { resolution: '512x512', frameRate: 30, idleMotion: true },
    onDemand: { schedulingMode: 'always_on', autoShutdownMinutes: 5 },
    sourceKey: `avatars/${id}/source.png`,
    sourceInfo: null,
    artifact: { imageKey: `avatars/${id}/image.png`, faceKey: `avatars/${id}/face.json` },
    userId: 'owner',
    organizationId: 'org',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A live WHEP session of `avatarId` that started now and expires in an hour, with a random id unless overridden. */
export function liveSessionRecord(avatarId: string, overrides: Partial<LiveSessionRecord> = {}): LiveSessionRecord {
  const now = new Date();
  return {
    id: `ses_${Math.random().toString(36).slice(2, 12).padEnd(10, '0')}${'0'.repeat(10)}`,
    avatarId,
    tokenHash: 'x'.repeat(64),
    viewerTokenHash: null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
    transport: 'whep',
    participantIdentity: null,
    endedAt: null,
    endReason: null,
    metrics: null,
    ...overrides,
  };
}
