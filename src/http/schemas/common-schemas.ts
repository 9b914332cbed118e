import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * A reference to a schema the OpenAPI document names once, under components.schemas (registered by
 * plugins/openapi.ts): each route's answer then says `$ref` instead of writing the shape out again, in the document
 * and in the web client generated from it.
 */
export function componentRef<T extends TSchema>(schema: T) {
  if (!schema.$id) throw new Error('a component schema needs an $id, its name in the document');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** The design's error shape (docs/design.md), the body of every non-2xx answer. */
export const ErrorBody = Type.Object(
  {
    error: Type.String(),
    code: Type.String(),
    details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    reason: Type.Optional(Type.String({ description: 'why, where `error` is a fixed sentence (a 503 for a rendering container)' })),
  },
  { $id: 'ErrorBody' },
);

/** The answers every authenticated route can give besides its own. */
export function errorResponses(...statuses: number[]) {
  return errorBodies(401, 403, 429, ...statuses);
}

/** `ErrorBody` as the answer of each of these statuses. */
export function errorBodies(...statuses: number[]) {
  const error = componentRef(ErrorBody);
  return Object.fromEntries(statuses.map((status) => [status, error]));
}
