import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BlobInfo, BlobStore } from './blob-store.ts';
import { BlobStoreUnavailableError } from './blob-store-unavailable-error.ts';
import { BLOB_PREFIX_PATTERN } from './blob-prefix.ts';
import { BLOB_KEY_PATTERN, contentTypeOf } from './content-types.ts';
import { sliceStream } from './slice-stream.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Defaults to us-east-1 (what MinIO and most S3-compatible servers expect). */
  region?: string;
  /** An S3-compatible server, e.g. `http://minio:9000`; unset for AWS S3. */
  endpoint?: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>` (MinIO needs it). */
  forcePathStyle?: boolean;
  /** Both or neither; neither uses the SDK's default chain (env, shared config, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Keys live under `<prefix>/` in the bucket, so one bucket can hold several installations. */
  prefix?: string;
  /** The API's base URL: blobs are served through its /blobs route, as with the local store. */
  publicUrl: string;
  /** Longest wait, retries included, for an answer to head, get (its headers), list and delete. */
  operationTimeoutMs?: number;
  /** A socket silent this long is dropped: bounds an upload or a body stream that stalls. */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Keys per ListObjectsV2 / DeleteObjects page; 1000 is S3's maximum for both. */
  pageSize?: number;
}

export interface S3BlobStore extends BlobStore {
  /** Closes the client's pooled connections. */
  close(): void;
}

/** Node's codes for a connection that failed or went silent: worth a retry later, so 503. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Blobs as objects in an S3 bucket (AWS or S3-compatible), with the same keys, ETags and URLs as the local store. */
export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  if (!options.bucket) throw new Error('The S3 blob store needs a bucket.');
  if (Boolean(options.accessKeyId) !== Boolean(options.secretAccessKey)) {
    throw new Error('Give both the S3 access key id and the secret access key, or neither.');
  }
  const storePrefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
  if (storePrefix && !BLOB_PREFIX_PATTERN.test(storePrefix)) {
    throw new Error(`The S3 key prefix "${options.prefix}" must be path segments of letters, digits, "_" and "-".`);
  }
  const bucket = options.bucket;
  const operationTimeoutMs = options.operationTimeoutMs ?? 10_000;
  const pageSize = Math.min(Math.max(options.pageSize ?? 1000, 1), 1000);

  const client = new S3Client({
    region: options.region || 'us-east-1',
    endpoint: options.endpoint || undefined,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials:
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
    // Flexible checksums only where S3 requires them: several S3-compatible servers reject the
    // trailing-checksum uploads the SDK sends by default. Keys are SHA-256 of the content anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? 5_000,
      socketTimeout: options.idleTimeoutMs ?? 30_000,
    },
  });

  const objectKey = (key: string) => (storePrefix ? `${storePrefix}/${key}` : key);
  const infoOf = (key: string, size: number): BlobInfo => ({
    key,
    size,
    contentType: contentTypeOf(key),
    etag: `"${key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('.'))}"`,
  });

  /**
   * One S3 call with the store's error rules. With a deadline, the call is aborted when no answer
   * came in time (the timer stops once headers arrive, so a streamed body is bounded by the idle
   * timeout instead).
   */
  async function call<T>(operation: string, deadline: boolean, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = deadline
      ? setTimeout(() => controller.abort(new Error(`no answer within ${operationTimeoutMs} ms`)), operationTimeoutMs)
      : undefined;
    try {
      return await run(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw new BlobStoreUnavailableError(operation, controller.signal.reason);
      if (isUnavailable(error)) throw new BlobStoreUnavailableError(operation, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    kind: 's3',
    async put(prefix, data, _contentType, extension) {
      const digest = createHash('sha256').update(data).digest('hex');
      const key = `${prefix}/${digest}.${extension}`;
      if (!BLOB_KEY_PATTERN.test(key)) throw new Error(`Invalid blob key ${key}`);
      await call('put', false, (abortSignal) =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            Body: data,
            ContentLength: data.length,
            // Same type the local store answers with: it follows the extension, whatever the caller said.
            ContentType: contentTypeOf(key),
            CacheControl: 'public, max-age=31536000, immutable',
          }),
          { abortSignal },
        ),
      );
      return infoOf(key, data.length);
    },
    async head(key) {
      if (!BLOB_KEY_PATTERN.test(key)) return null;
      try {
        const object = await call('head', true, (abortSignal) =>
          client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }), { abortSignal }),
        );
        return infoOf(key, object.ContentLength ?? 0);
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
    },
    async get(key, range) {
      if (!BLOB_KEY_PATTERN.test(key)) return null;
      try {
        const object = await call('get', true, (abortSignal) =>
          client.send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: objectKey(key),
              Range: range ? `bytes=${range.start}-${range.end}` : undefined,
            }),
            { abortSignal },
          ),
        );
        if (!(object.Body instanceof Readable)) throw new Error('The S3 client returned a body that is not a Node stream.');
        // A ranged answer's Content-Length is the range's; the blob's size is after the slash.
        const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1];
        const size = total === undefined ? (object.ContentLength ?? 0) : Number(total);
        const body = range ? exactRange(object.Body, object.ContentRange, range, size) : object.Body;
        return { ...infoOf(key, size), body };
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      if (!BLOB_KEY_PATTERN.test(key)) return;
      // S3 answers 204 for a key that is not there, so a missing blob needs no special case.
      await call('delete', true, (abortSignal) =>
        client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }), { abortSignal }),
      );
    },
    async deletePrefix(prefix) {
      if (!BLOB_PREFIX_PATTERN.test(prefix)) return;
      // The trailing slash makes the prefix a folder: `avatars/avt_abc/` never lists `avatars/avt_abcd/...`.
      const listPrefix = `${objectKey(prefix)}/`;
      let continuationToken: string | undefined;
      do {
        const page = await call('list', true, (abortSignal) =>
          client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: listPrefix,
              MaxKeys: pageSize,
              ContinuationToken: continuationToken,
            }),
            { abortSignal },
          ),
        );
        const objects = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (objects.length > 0) {
          const result = await call('delete', true, (abortSignal) =>
            client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }), {
              abortSignal,
            }),
          );
          const failed = result.Errors ?? [];
          if (failed.length > 0) {
            throw new Error(
              `S3 refused to delete ${failed.length} of ${objects.length} blobs under ${prefix}: ` +
                `${failed[0].Key} ${failed[0].Code} ${failed[0].Message}`,
            );
          }
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
    },
    url(key) {
      return `${options.publicUrl}/blobs/${key}`;
    },
    close() {
      client.destroy();
    },
  };
}

/**
 * The asked bytes, even from a server that answers a wider range than asked (s3rver sends the
 * whole blob for `bytes=0-0`) or ignores Range (200 with everything): the /blobs route has already
 * promised the client that Content-Length.
 */
function exactRange(body: Readable, contentRange: string | undefined, range: { start: number; end: number }, size: number): Readable {
  const answered = /^bytes (\d+)-(\d+)\//.exec(contentRange ?? '');
  const answeredStart = answered ? Number(answered[1]) : 0;
  const answeredEnd = answered ? Number(answered[2]) : size - 1;
  const end = Math.min(range.end, size - 1);
  if (answeredStart === range.start && answeredEnd === end) return body;
  if (answeredStart > range.start || answeredEnd < end) {
    body.destroy();
    throw new Error(`S3 answered bytes ${answeredStart}-${answeredEnd} when asked for ${range.start}-${range.end}.`);
  }
  return sliceStream(body, range.start - answeredStart, end - range.start + 1);
}

/** The object is not there (HEAD has no body, so the SDK names its 404 NotFound). NoSuchBucket is a real error. */
function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotFound' || name === 'NoSuchKey';
}

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  const code = (error as { code?: string }).code;
  return error.name === 'TimeoutError' || (code !== undefined && NETWORK_ERROR_CODES.has(code));
}
