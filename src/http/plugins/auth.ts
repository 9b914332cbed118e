import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, Ctx, Services } from '../../domain/context.ts';
import { authenticate, authenticateReadingAvatar, type AvatarReadAhead } from '../../domain/keys/authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The route's avatar, read with the key (routes whose config sets `readsAvatarAhead`). */
    avatarReadAhead: AvatarReadAhead | null;
  }
  interface FastifyContextConfig {
    /** The route answers the avatar `:id` as is: the key and the avatar are read together, in one round trip. */
    readsAvatarAhead?: boolean;
  }
}

/** Every route registered in this context needs an `X-API-Key`; the caller becomes `request.actor`. */
export function requireApiKey(app: FastifyInstance, services: Services): void {
  // A callback hook rather than an async one: one promise fewer on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['x-api-key'];
    const secret = Array.isArray(header) ? header[0] : header;
    const avatarId = request.routeOptions.config.readsAvatarAhead ? (request.params as { id?: unknown }).id : undefined;
    if (typeof avatarId === 'string') {
      authenticateReadingAvatar(services.store, secret, avatarId).then(({ actor, readAhead }) => {
        request.actor = actor;
        request.avatarReadAhead = readAhead;
        done();
      }, done);
      return;
    }
    authenticate(services.store, secret).then((actor) => {
      request.actor = actor;
      done();
    }, done);
  });
}

/** The verb context of an authenticated request. */
export function ctxOf(request: FastifyRequest, services: Services): Ctx {
  return { actor: request.actor!, services };
}

/** A live session's token (the viewer's or the agent's), sent as `Authorization: Bearer <token>`: not an API key. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * The routes of this scope open to pages of any origin (CORS `*`), for the session token is the credential: every
 * answer says so, and `OPTIONS` on each of `paths` answers the browser's preflight for `methods`.
 */
export function openToAnyOrigin(scope: FastifyInstance, paths: Record<string, string>): void {
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'Location');
  });
  for (const [path, methods] of Object.entries(paths)) {
    scope.options(path, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', `${methods}, OPTIONS`)
        .header('access-control-allow-headers', 'Authorization, Content-Type')
        .header('access-control-max-age', '600')
        .send(),
    );
  }
}
