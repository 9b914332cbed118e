import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ERRORS } from '../../domain/errors.ts';
import { toErrorDetails } from '../validator.ts';
import { BlobStoreUnavailableError } from '../../blobs/blob-store-unavailable-error.ts';
import { DatabaseUnavailable } from '../../store/database-unavailable.ts';
import { RendererRefused, RendererUnavailable } from '../../renderer-client/renderer-errors.ts';

const MULTIPART_BROKEN = /^Multipart: Boundary not found$|unexpected end of multipart data$/i;

/** Turns whatever went wrong into one ApiError (the design's codes and statuses). */
export function toApiError(error: FastifyError & { validationContext?: string }, bodyLimit: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return ERRORS.validation(toErrorDetails(error.validation as never, error.validationContext ?? 'body'));
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ERRORS.unsupportedMediaType(undefined, 'application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ERRORS.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ERRORS.invalidJson();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ERRORS.validation([{ path: 'Content-Length', message: 'does not match the body' }]);
  }
  if (error instanceof SyntaxError) return ERRORS.invalidJson();
  // The multipart parser (busboy) throws plain errors for a form it cannot read: no boundary, a body cut short.
  if (MULTIPART_BROKEN.test(error.message))
    return ERRORS.validation([{ path: 'body', message: `is not a readable multipart form: ${error.message}` }]);
  if (error instanceof BlobStoreUnavailableError) return ERRORS.storageUnavailable();
  if (error instanceof DatabaseUnavailable) return ERRORS.databaseUnavailable();
  if (error instanceof RendererUnavailable) return ERRORS.rendererUnavailable(error.reason);
  if (error instanceof RendererRefused) return new ApiError(error.status, error.code, error.message);
  if (error.statusCode === 413) return ERRORS.payloadTooLarge(bodyLimit);
  if (error.statusCode === 415) return ERRORS.unsupportedMediaType(undefined, 'application/json');
  // Other client errors raised by Fastify or its plugins (a malformed multipart body, say).
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return ERRORS.validation([{ path: '', message: `is not valid: ${error.message.replace(/\.$/, '')}` }]);
  }
  return ERRORS.internal();
}

export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({
      error: error.message,
      code: error.code,
      ...(error.details ? { details: error.details } : {}),
      ...(error.reason ? { reason: error.reason } : {}),
    });
}

/** A client that hangs up mid-body makes the body stream fail ("aborted"); the request's own state tells so. */
function abortedByClient(request: FastifyRequest): boolean {
  return !request.raw.complete && request.raw.destroyed;
}

export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Logged by the app's onRequestAbort hook; the answer goes nowhere.
    if (abortedByClient(request)) return sendApiError(reply, ERRORS.requestAborted());
    const apiError = toApiError(error, request.routeOptions.bodyLimit ?? bodyLimit);
    // A fixed sentence (the contract's 503) is logged with its reason, so the log says why as the answer does.
    if (apiError.status >= 500)
      request.log.error({ err: error, ...(apiError.reason ? { reason: apiError.reason } : {}) }, apiError.message);
    else request.log.info({ code: apiError.code }, apiError.message);
    return sendApiError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) => sendApiError(reply, ERRORS.routeNotFound(request.method, request.url)));
}
