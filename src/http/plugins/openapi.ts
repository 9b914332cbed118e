import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ApiKey } from '../routes/auth/key-schemas.ts';
import { Avatar, AvatarSummary } from '../schemas/avatar-schemas.ts';
import { LiveSession, LiveSessionStatus } from '../schemas/session-schemas.ts';
import { ErrorBody } from '../schemas/common-schemas.ts';

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

type Response = { $ref?: string; headers?: unknown; content?: Record<string, { schema?: { $ref?: string } }> };
/**
 * A route schema's mark for a body that may be left out (the route's preValidation makes it `{}`): the plugin calls
 * every schema body required, as Fastify does once it has parsed one, but these routes also answer without any.
 */
export const OPTIONAL_BODY = 'x-optional-body';
declare module 'fastify' {
  interface FastifySchema {
    [OPTIONAL_BODY]?: boolean;
  }
}

type Operation = { responses?: Record<string, Response>; requestBody?: { required?: boolean }; [OPTIONAL_BODY]?: boolean };
type Paths = Record<string, Record<string, Operation>>;

const ERROR_SCHEMA = `#/components/schemas/${ErrorBody.$id}`;
const isErrorResponse = ({ headers, content = {} }: Response) =>
  !headers && Object.keys(content).join() === 'application/json' && content['application/json'].schema?.$ref === ERROR_SCHEMA;

/**
 * Every route answers its errors with the same response (the error shape, as JSON): it is named once, under
 * components.responses, and each status refers to it rather than every operation writing it out again.
 */
const shareErrorResponse: SwaggerTransformObject = (document) => {
  if (!('openapiObject' in document)) return document.swaggerObject;
  const { openapiObject } = document;
  for (const operations of Object.values(openapiObject.paths as Paths)) {
    for (const operation of Object.values(operations)) {
      const { responses = {} } = operation;
      for (const [status, response] of Object.entries(responses)) {
        if (isErrorResponse(response)) responses[status] = { $ref: '#/components/responses/Error' };
      }
      if (operation[OPTIONAL_BODY] && operation.requestBody) operation.requestBody.required = false;
      delete operation[OPTIONAL_BODY];
    }
  }
  const error = {
    description: 'An error: `{ error, code, details?, reason? }` (docs/design.md)',
    content: { 'application/json': { schema: { $ref: ERROR_SCHEMA } } },
  };
  openapiObject.components = { ...openapiObject.components, responses: { Error: error } };
  linkCreated(openapiObject.paths as Paths);
  return openapiObject;
};

/**
 * What each create operation makes (the id field of its 201 answer, or 202 for a job) and the path of the thing it
 * made. Every operation at or under that path gets an OpenAPI link from that answer, so a client, or a fuzzer that
 * follows links (schemathesis's stateful phase: scripts/api-fuzz), can take a new avatar, session, key, webhook or
 * video through its life.
 */
const CREATES = [
  { create: 'post /api/v1/avatars', id: '_id', under: '/api/v1/avatars/{id}' },
  { create: 'post /api/v1/avatars/{id}/sessions', id: 'sessionId', under: '/api/v1/sessions/{id}' },
  { create: 'post /api/v1/auth/api-keys', id: 'id', under: '/api/v1/auth/api-keys/{id}' },
  { create: 'post /api/v1/webhooks', id: '_id', under: '/api/v1/webhooks/{id}' },
  { create: 'post /api/v1/avatars/{id}/videos', id: '_id', under: '/api/v1/videos/{id}', status: '202' },
];

type Link = { operationRef: string; parameters: Record<string, string> };

/** The links of CREATES: named `<method>` or `<method>-<rest of the path>` (`post-preview`, `delete-whep-viewerId`). */
const linkCreated = (paths: Paths) => {
  for (const { create, id, under, status = '201' } of CREATES) {
    const [method, path] = create.split(' ');
    const created = paths[path]?.[method]?.responses?.[status] as (Response & { links?: Record<string, Link> }) | undefined;
    if (!created) throw new Error(`OpenAPI links: ${create} has no ${status} answer to link from`);
    created.links = {};
    for (const [target, operations] of Object.entries(paths)) {
      if (target !== under && !target.startsWith(`${under}/`)) continue;
      const rest = target.slice(under.length).replace(/[{}]/g, '').split('/');
      for (const verb of Object.keys(operations)) {
        created.links[[verb, ...rest].filter(Boolean).join('-')] = {
          operationRef: `#/paths/${target.replaceAll('~', '~0').replaceAll('/', '~1')}/${verb}`,
          parameters: { id: `$response.body#/${id}` },
        };
      }
    }
  }
};

/** The OpenAPI 3.1 document, built from the route schemas that also validate requests. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // The shapes routes refer to with componentRef, each named once in the document (components.schemas) by its $id.
  for (const schema of [Avatar, AvatarSummary, ApiKey, ErrorBody, LiveSession, LiveSessionStatus]) app.addSchema(schema);
  await app.register(swagger, {
    transformObject: shareErrorResponse,
    // A component is named by its $id (the plugin's default names them def-0, def-1, ...).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
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
        { name: 'webhooks', description: 'Signed event deliveries to your endpoints (docs/webhooks.md)' },
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
