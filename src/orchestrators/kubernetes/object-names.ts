import { createHash } from 'node:crypto';

/**
 * Kubernetes names for an avatar's objects. Avatar ids are case-sensitive base62 (`avt_3kTz9QWmBx7pLr2N`),
 * and object names must be lower-case DNS labels, so lower-casing could make two avatars collide. The id's
 * bytes are encoded in lower-case base32 instead (reversible, so unique); the id itself travels in a label.
 */

export const LABELS = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  avatarId: 'avatars.dev/avatar-id',
  organizationId: 'avatars.dev/organization-id',
  tier: 'avatars.dev/tier',
} as const;

export const ANNOTATIONS = {
  avatarId: 'avatars.dev/avatar-id',
  organizationId: 'avatars.dev/organization-id',
  userId: 'avatars.dev/user-id',
  /** Hash of the desired Deployment, so `apply` can tell "already as wanted" from "needs an update". */
  specHash: 'avatars.dev/spec-hash',
  /** Changes when the renderer's secret changes, so pods restart and read the new one from their env. */
  secretVersion: 'avatars.dev/secret-version',
} as const;

export const RENDERER_APP_NAME = 'avatars-renderer';
export const MANAGED_BY = 'avatars';

/** Selects every object this orchestrator made, in its namespace. */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY},${LABELS.name}=${RENDERER_APP_NAME}`;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
// A Service name is a DNS-1035 label: at most 63 characters.
const MAX_NAME = 63;
const ENCODED_PREFIX = 'avatar-';
const HASHED_PREFIX = 'avatarh-';

/** Label values: at most 63 characters, alphanumerics with `-`, `_`, `.` inside. */
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The name shared by the avatar's Deployment, Service and Secret. Ids short enough are encoded reversibly;
 * a longer id (never made by this API, but possible by hand) gets its SHA-256 (52 base32 characters) under a distinct prefix.
 */
export function objectNameForAvatar(avatarId: string): string {
  if (!isLabelValue(avatarId) || avatarId === '') {
    throw new Error(`Avatar id "${avatarId}" cannot be used as a Kubernetes label value.`);
  }
  const encoded = base32(Buffer.from(avatarId, 'utf8'));
  if (ENCODED_PREFIX.length + encoded.length <= MAX_NAME) return ENCODED_PREFIX + encoded;
  const hashed = base32(createHash('sha256').update(avatarId).digest()).slice(0, MAX_NAME - HASHED_PREFIX.length);
  return HASHED_PREFIX + hashed;
}

/** Labels every object of the avatar carries; the first two with the avatar id select its pods. */
export function selectorLabels(avatarId: string): Record<string, string> {
  return { [LABELS.name]: RENDERER_APP_NAME, [LABELS.avatarId]: avatarId };
}

export function avatarSelector(avatarId: string): string {
  return `${MANAGED_SELECTOR},${LABELS.avatarId}=${avatarId}`;
}
