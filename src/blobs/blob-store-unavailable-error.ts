/**
 * The blob store could not be reached or answered with a server error (refused, reset, timed out,
 * 5xx): the request may succeed later, so the API can answer 503 rather than 500.
 */
export class BlobStoreUnavailableError extends Error {
  readonly code = 'BLOB_STORE_UNAVAILABLE';

  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
    super(`The blob store is unavailable (${operation}): ${reason}`, { cause });
    this.name = 'BlobStoreUnavailableError';
  }
}
