import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Services } from '../domain/context.ts';
import { requireApiKey } from './plugins/auth.ts';
import { registerErrorHandling, sendApiError } from './plugins/error-handler.ts';
import { ERRORS } from '../domain/errors.ts';
import { exposeMetrics, registerMetrics } from './plugins/metrics.ts';
import { loggerOptions } from './plugins/logging.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { validatorCompiler } from './validator.ts';
import { listAvatarsRoute } from './routes/avatars/list-avatars.ts';
import { getAvatarRoute } from './routes/avatars/get-avatar.ts';
import { createAvatarRoute } from './routes/avatars/create-avatar.ts';
import { updateAvatarRoute } from './routes/avatars/update-avatar.ts';
import { deleteAvatarRoute } from './routes/avatars/delete-avatar.ts';
import { previewAvatarRoute } from './routes/avatars/preview-avatar.ts';
import { uploadSourceRoute } from './routes/avatars/upload-source.ts';
import { deployAvatarRoute, undeployAvatarRoute } from './routes/avatars/deploy-avatar.ts';
import { startLiveSessionRoute } from './routes/avatars/start-live-session.ts';
import { listLiveSessionsRoute } from './routes/avatars/list-live-sessions.ts';
import { getSessionRoute } from './routes/sessions/get-session.ts';
import { endSessionRoute } from './routes/sessions/end-session.ts';
import { whepProxyRoutes } from './routes/sessions/whep-proxy.ts';
import { getSessionStatusRoute } from './routes/sessions/get-session-status.ts';
import { setSessionExpressionRoute } from './routes/sessions/set-session-expression.ts';
import { attachSpeechProxy } from './routes/sessions/speech-proxy.ts';
import { whoamiRoute } from './routes/auth/whoami.ts';
import { createApiKeyRoute } from './routes/auth/create-api-key.ts';
import { listApiKeysRoute } from './routes/auth/list-api-keys.ts';
import { revokeApiKeyRoute } from './routes/auth/revoke-api-key.ts';
import { createWebhookRoute } from './routes/webhooks/create-webhook.ts';
import { listWebhooksRoute } from './routes/webhooks/list-webhooks.ts';
import { getWebhookRoute } from './routes/webhooks/get-webhook.ts';
import { deleteWebhookRoute } from './routes/webhooks/delete-webhook.ts';
import { listWebhookDeliveriesRoute } from './routes/webhooks/list-webhook-deliveries.ts';
import { healthRoutes } from './routes/system/health.ts';
import { blobRoutes } from './routes/system/blobs.ts';
import { consoleRoutes } from './routes/system/console.ts';
import { createVideoRoute } from './routes/videos/create-video.ts';
import { getVideoRoute } from './routes/videos/get-video.ts';
import { listVideosRoute } from './routes/videos/list-videos.ts';
import { deleteVideoRoute } from './routes/videos/delete-video.ts';

export interface AppOptions {
  /** `stream` receives the JSON log lines (default: stdout); tests read them. */
  logger?: boolean | { level: string; stream?: { write(line: string): unknown } };
}

/** The Fastify application: plugins, then the public routes, then the `/api/v1` routes behind a key. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const { http } = config;
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : loggerOptions(
            typeof options.logger === 'object' ? options.logger.level : config.logLevel,
            (typeof options.logger === 'object' && options.logger.stream) || process.stdout,
          ),
    bodyLimit: config.bodyLimitBytes,
    // Slow or idle clients must not hold connections: config.http says how long each stage may take.
    http: {
      headersTimeout: http.headersTimeoutMs,
      requestTimeout: http.requestTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default, which would let a short timeout run long).
      connectionsCheckingInterval: Math.max(50, Math.min(http.headersTimeoutMs, 5000) / 4),
    },
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.idleTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    },
    requestIdHeader: false,
    // The router's own errors (an over-long id, broken %-encoding) answer in the design's shape too.
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_BAD_URL') {
        return sendApiError(reply, ERRORS.validation([{ path: 'url', message: 'is not a valid URL (broken %-encoding)' }]));
      }
      return sendApiError(reply, ERRORS.routeNotFound(request.method, request.url));
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.server.maxConnections = http.maxConnections;
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; plain JSON.stringify keeps every field the verbs answer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('actor', null);
  app.decorateRequest('avatarReadAhead', null);
  // Set as the request arrives (error and 404 answers keep it): a plain callback hook costs no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // No URL of this API has a NUL in it, and PostgreSQL cannot store or compare one (domain/text-rules.ts).
    if (request.url.includes('%00')) return done(ERRORS.validation([{ path: 'url', message: 'must not contain NUL characters (%00)' }]));
    done();
  });

  // The truth about a client that hung up: not a server error, whatever its body parser or database call failed with.
  app.addHook('onRequestAbort', (request, done) => {
    const aborted = ERRORS.requestAborted();
    request.log.info({ code: aborted.code }, aborted.message);
    done();
  });

  // An empty body is "no body", not a JSON error, so POST /preview works with a JSON content type.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON only: a text/plain body is an unsupported media type, not a string to validate.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, (error, parsed) => {
      // A `\u0000` escape is valid JSON, but no text the API keeps may hold NUL (PostgreSQL refuses it): every
      // route, every store, the same 400.
      const nulAt = !error && (body as string).includes('\\u0000') ? pathOfNul(parsed) : null;
      if (nulAt !== null)
        return done(ERRORS.validation([{ path: nulAt, message: 'must not contain NUL characters (\\u0000)' }]), undefined);
      done(error, parsed);
    });
  });
  // An empty body is "no body" whatever type a client's library labels it with (urllib sends form-urlencoded):
  // a route that takes an optional body answers as without one. A non-empty one of another type stays a 415.
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    done(ERRORS.unsupportedMediaType(request.headers['content-type'], 'application/json'), undefined);
  });

  registerErrorHandling(app, config.bodyLimitBytes);
  const metrics = registerMetrics(app);
  await registerOpenApi(app);
  healthRoutes(app, services);
  blobRoutes(app, services);
  consoleRoutes(app, services);
  // Live sessions: viewers and agents hold a session token, not an API key.
  await whepProxyRoutes(app, services);
  await getSessionStatusRoute(app, services);
  await setSessionExpressionRoute(app, services);
  attachSpeechProxy(app, services);

  await app.register(
    async (api) => {
      requireApiKey(api, services);
      await registerRateLimit(api, config.rateLimitPerMinute);
      for (const route of [
        listAvatarsRoute,
        getAvatarRoute,
        createAvatarRoute,
        updateAvatarRoute,
        deleteAvatarRoute,
        previewAvatarRoute,
        deployAvatarRoute,
        undeployAvatarRoute,
        startLiveSessionRoute,
        listLiveSessionsRoute,
        getSessionRoute,
        endSessionRoute,
        whoamiRoute,
        createApiKeyRoute,
        listApiKeysRoute,
        revokeApiKeyRoute,
        createWebhookRoute,
        listWebhooksRoute,
        getWebhookRoute,
        deleteWebhookRoute,
        listWebhookDeliveriesRoute,
        getVideoRoute,
        listVideosRoute,
        deleteVideoRoute,
      ]) {
        route(api, services);
      }
      await uploadSourceRoute(api, services);
      await createVideoRoute(api, services);
    },
    { prefix: '/api/v1' },
  );
  // Last: it may start a listener of its own, which nothing after it could fail to close.
  await exposeMetrics(app, metrics, config.metrics);
  return app;
}

/** The dotted path of the first string (or field name) holding a NUL, or null. */
function pathOfNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\0') ? path || 'body' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\0')) return at.replaceAll('\0', '\\u0000');
    const found = pathOfNul(item, at);
    if (found !== null) return found;
  }
  return null;
}
