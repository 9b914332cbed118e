import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, Ctx, Services } from '../../domain/context.ts';
import { authenticate } from '../../domain/keys/authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** Every route registered in this context needs an `X-API-Key`; the caller becomes `request.actor`. */
export function requireApiKey(app: FastifyInstance, services: Services): void {
  // A callback hook rather than an async one: one promise fewer on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers['x-api-key'];
    authenticate(services.store, Array.isArray(header) ? header[0] : header).then((actor) => {
      request.actor = actor;
      done();
    }, done);
  });
}

/** The verb context of an authenticated request. */
export function ctxOf(request: FastifyRequest, services: Services): Ctx {
  return { actor: request.actor!, services };
}
