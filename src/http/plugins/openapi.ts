import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

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
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
