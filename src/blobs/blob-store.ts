import type { Readable } from 'node:stream';

/** A stored file as the blob store describes it. */
export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
  etag: string;
}

export interface BlobRead extends BlobInfo {
  body: Readable;
}

/**
 * Where sources, preprocessed portraits and previews are kept. Keys are chosen by the store from
 * the content (`<prefix>/<sha256>.<ext>`), so a key never changes meaning and can be cached forever.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  put(prefix: string, data: Buffer, contentType: string, extension: string): Promise<BlobInfo>;
  /** The whole blob, or the inclusive byte range [start, end]. Null when there is no such blob. */
  get(key: string, range?: { start: number; end: number }): Promise<BlobRead | null>;
  head(key: string): Promise<BlobInfo | null>;
  /** Removes one blob; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /** Removes every blob under the prefix, a folder-like path (an avatar's files). */
  deletePrefix(prefix: string): Promise<void>;
  /** The URL clients download the blob from. */
  url(key: string): string;
}
