/** Content type by the extension the blob store gives each key. */
export const CONTENT_TYPES: Record<string, string> = {
  vrm: 'model/gltf-binary',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
  webm: 'video/webm',
  json: 'application/json',
};

export function contentTypeOf(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1);
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Keys are `<prefix>/<sha256>.<ext>` with a safe prefix; anything else is not a key of ours. */
export const BLOB_KEY_PATTERN = /^(?:[A-Za-z0-9_-]+\/)+[0-9a-f]{64}\.[a-z0-9]{1,8}$/;
