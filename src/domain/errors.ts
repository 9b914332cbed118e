/**
 * Every error the API can answer, made in one place with its code and status (docs/design.md).
 * The HTTP layer renders any ApiError as `{ error, code, details? }`; anything else becomes `internal`.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
    /** Why, when the sentence must stay fixed (the contract's 503): rendered as the body's `reason`. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The contract's own sentence for a Tier 2/3 avatar whose rendering container cannot be reached. */
export const RENDERER_NOT_DEPLOYED = 'Avatar rendering container not deployed. Deploy the avatar first.';

export const ERRORS = {
  unauthorized: (message = 'An API key is required: send it in the X-API-Key header.') => new ApiError(401, 'unauthorized', message),
  invalidKey: () => new ApiError(401, 'unauthorized', 'The API key is not valid: it is unknown, revoked or expired.'),
  scopeRequired: (scope: string) =>
    new ApiError(403, 'scope-required', `This call needs the ${scope} scope, which the API key does not have.`),
  forbidden: (what: string) => new ApiError(403, 'forbidden', `Only the owner of this ${what} may change it.`),
  keyForAnotherUser: () => new ApiError(403, 'forbidden', 'An admin key without an organization can make keys only for its own user.'),
  scopesNotHeld: (missing: readonly string[]) =>
    new ApiError(403, 'forbidden', `A key can grant only scopes it holds itself; this one does not hold ${missing.join(', ')}.`),
  notFound: (what: string, id: string) => new ApiError(404, 'not-found', `No ${what} with id "${id}" was found.`),
  routeNotFound: (method: string, url: string) => new ApiError(404, 'not-found', `There is no ${method} ${url.split('?')[0]} endpoint.`),
  validation: (details: ErrorDetail[]) => {
    const first = details[0];
    const subject = first?.path ? `"${first.path}"` : 'The request body';
    const sentence = first ? `${subject} ${first.message}` : 'The request is not valid';
    const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''} in details)` : '';
    return new ApiError(400, 'validation-failed', `${sentence.replace(/\.$/, '')}${more}.`, details);
  },
  invalidJson: (reason?: string) => new ApiError(400, 'invalid-json', `The request body is not valid JSON${reason ? `: ${reason}` : ''}.`),
  payloadTooLarge: (limitBytes: number) =>
    new ApiError(413, 'payload-too-large', `The request body is larger than the ${formatBytes(limitBytes)} allowed.`),
  unsupportedMediaType: (type: string | undefined, accepted: string) =>
    new ApiError(
      415,
      'unsupported-media-type',
      `${type ? `Content-Type "${type}" is not accepted here` : 'The request has no Content-Type'}; send ${accepted}.`,
    ),
  invalidSource: (message: string) => new ApiError(422, 'invalid-source', message),
  conflict: (message: string) => new ApiError(409, 'conflict', message),
  rateLimited: (retryAfterSeconds: number) =>
    new ApiError(429, 'rate-limited', `Too many requests for this API key; retry in ${retryAfterSeconds} s.`, undefined, {
      'retry-after': String(retryAfterSeconds),
    }),
  metricsTokenRequired: () =>
    new ApiError(401, 'unauthorized', 'Metrics need the bearer token: send Authorization: Bearer <METRICS_TOKEN>.', undefined, {
      'www-authenticate': 'Bearer realm="metrics"',
    }),
  uploadsBusy: (retryAfterSeconds: number) =>
    new ApiError(429, 'rate-limited', `Too many source uploads are being checked right now; retry in ${retryAfterSeconds} s.`, undefined, {
      'retry-after': String(retryAfterSeconds),
    }),
  rendererUnavailable: (reason?: string) => new ApiError(503, 'service-unavailable', RENDERER_NOT_DEPLOYED, undefined, undefined, reason),
  /** Logged, never delivered: the client hung up (mid-body, or before the answer was ready). */
  requestAborted: () => new ApiError(400, 'request-aborted', 'The client closed the connection before the request was answered.'),
  databaseUnavailable: () =>
    new ApiError(503, 'service-unavailable', 'The database is unavailable right now; try again in a few seconds.', undefined, {
      'retry-after': '2',
    }),
  storageUnavailable: () =>
    new ApiError(503, 'service-unavailable', 'File storage is unavailable right now; try again in a few seconds.', undefined, {
      'retry-after': '2',
    }),
  /** A program the API runs itself (ffmpeg, espeak-ng for talking videos) is not installed. */
  programMissing: (program: string) =>
    new ApiError(503, 'service-unavailable', `This needs ${program}, which is not installed on this server; an operator must install it.`),
  internal: () => new ApiError(500, 'internal', 'Something went wrong on our side; the error was logged.'),
};

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  if (mib >= 1) return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
