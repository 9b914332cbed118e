import { Type } from '@sinclair/typebox';

/** The design's error shape (docs/design.md), the body of every non-2xx answer. */
export const ErrorBody = Type.Object({
  error: Type.String(),
  code: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  reason: Type.Optional(Type.String({ description: 'why, where `error` is a fixed sentence (a 503 for a rendering container)' })),
});

/** The answers every authenticated route can give besides its own. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, typeof ErrorBody> = {};
  for (const status of [401, 403, 429, ...statuses]) out[status] = ErrorBody;
  return out;
}
