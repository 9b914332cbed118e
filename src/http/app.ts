import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Services } from '../domain/context.ts';
import { requireApiKey } from './plugins/auth.ts';
import { registerErrorHandling, sendApiError } from './plugins/error-handler.ts';
import { ERRORS } from '../domain/errors.ts';
import { registerMetrics } from './plugins/metrics.ts';
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
import { whepProxyRoutes } from './routes/sessions/whep-proxy.ts';
import { attachSpeechProxy } from './routes/sessions/speech-proxy.ts';
import { whoamiRoute } from './routes/auth/whoami.ts';
import { createApiKeyRoute } from './routes/auth/create-api-key.ts';
import { listApiKeysRoute } from './routes/auth/list-api-keys.ts';
import { revokeApiKeyRoute } from './routes/auth/revoke-api-key.ts';
import { healthRoutes } from './routes/system/health.ts';
import { blobRoutes } from './routes/system/blobs.ts';
import { consoleRoutes } from './routes/system/console.ts';

export interface AppOptions {
  logger?: boolean | { level: string };
}

/** The Fastify application: plugins, then the public routes, then the `/api/v1` routes behind a key. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    logger: options.logger === false ? false : {
      level: typeof options.logger === 'object' ? options.logger.level : config.logLevel,
      redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
    },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    },
    requestIdHeader: false,
    // The router's own errors (an over-long id, broken %-encoding) answer in DESIGN.md's shape too.
    frameworkErrors: (error, request, reply) => {
      if (error.code === 'FST_ERR_BAD_URL') {
        return sendApiError(reply, ERRORS.validation([{ path: 'url', message: 'is not a valid URL (broken %-encoding)' }]));
      }
      return sendApiError(reply, ERRORS.routeNotFound(request.method, request.url));
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; plain JSON.stringify keeps every field the verbs answer.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('actor', null);
  // Set as the request arrives (error and 404 answers keep it): a plain callback hook costs no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // An empty body is "no body", not a JSON error, so POST /preview works with a JSON content type.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON only: a text/plain body is an unsupported media type, not a string to validate.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });

  registerErrorHandling(app, config.bodyLimitBytes);
  const metrics = registerMetrics(app);
  await registerOpenApi(app);
  healthRoutes(app, services, metrics);
  blobRoutes(app, services);
  consoleRoutes(app, services);
  // Live sessions: viewers and agents hold a session token, not an API key.
  await whepProxyRoutes(app, services);
  attachSpeechProxy(app, services);

  await app.register(
    async (api) => {
      requireApiKey(api, services);
      await registerRateLimit(api, config.rateLimitPerMinute);
      for (const route of [
        listAvatarsRoute, getAvatarRoute, createAvatarRoute, updateAvatarRoute, deleteAvatarRoute, previewAvatarRoute,
        deployAvatarRoute, undeployAvatarRoute, startLiveSessionRoute,
        whoamiRoute, createApiKeyRoute, listApiKeysRoute, revokeApiKeyRoute,
      ]) {
        route(api, services);
      }
      await uploadSourceRoute(api, services);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
