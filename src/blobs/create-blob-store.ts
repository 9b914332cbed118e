import path from 'node:path';
import type { Config } from '../config.ts';
import type { BlobStore } from './blob-store.ts';
import { createLocalBlobStore } from './local-blob-store.ts';
import { createS3BlobStore } from './s3-blob-store.ts';

/** The blob store the configuration names: files under DATA_DIR by default, or an S3 bucket. */
export function createBlobStore(config: Config): BlobStore & { close?(): void } {
  const settings = config.blobs;
  if (settings.kind === 'local') return createLocalBlobStore({ root: path.join(config.dataDir, 'blobs'), publicUrl: config.publicUrl });
  return createS3BlobStore({
    bucket: settings.bucket,
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    prefix: settings.prefix,
    publicUrl: config.publicUrl,
    operationTimeoutMs: settings.timeoutMs,
  });
}
