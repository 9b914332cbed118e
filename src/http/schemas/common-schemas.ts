import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { LIST_MAX_OFFSET, USE_THE_CURSOR } from '../../domain/list-page.ts';

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

/** A schema keyword the validator adds to its "must be at most" message (validator.ts): what to do instead. */
export const PAST_MAXIMUM = 'x-past-maximum';

/**
 * The query of every list (docs/design.md, "HTTP conventions"): `after` takes the previous page's `nextCursor`;
 * `offset` is kept for older clients, up to LIST_MAX_OFFSET, and never with `after` (list-page.ts checks both).
 */
export function pageQuery(limit: { default: number; maximum: number }) {
  return {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limit.maximum, default: limit.default })),
    after: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 400,
        description: "the previous page's `nextCursor`: the page starts after its last item, whatever was created or deleted meanwhile",
      }),
    ),
    offset: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LIST_MAX_OFFSET,
        description: `items to skip (default 0), kept for compatibility; deeper pages: ${USE_THE_CURSOR}. Not with \`after\``,
        [PAST_MAXIMUM]: `for deeper pages ${USE_THE_CURSOR}`,
      }),
    ),
  };
}

/** A list answer's cursor of its next page. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'pass it as `after` for the next page; null on the last page',
});
