import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The swagger UI page loads only its own scripts and styles from this server (no inline script, no
 * third-party validator badge), calls only this server, and may not be framed (clickjacking). Inline
 * styles stay allowed: the UI adds a <style> element at run time (checked in Chromium: test/web/docs-page.test.ts).
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DOCS_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** The OpenAPI 3.1 document, built from the route schemas that also validate requests. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Avatars API',
        version: '1.0.0',
        description:
          'Create and manage avatars for conversational agents: stylized 3D (VRM) avatars rendered client-side, ' +
          'animated and real-time lip-synced portraits rendered by a dedicated rendering container. ' +
          'Every error is `{ error, code, details? }`.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      },
      tags: [
        { name: 'avatars', description: 'Avatars and their sources, deployments and previews' },
        { name: 'sessions', description: 'Live sessions with realtime_lipsync avatars' },
        { name: 'auth', description: 'API keys and the caller' },
      ],
    },
  });
  // The docs page in a context of its own, so its headers reach its HTML and assets and nothing else.
  await app.register(async (docs) => {
    docs.addHook('onRequest', (_request, reply, done) => {
      reply.headers(DOCS_HEADERS);
      done();
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false }, staticCSP: DOCS_CSP });
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
