import { Type } from '@sinclair/typebox';
import { EMOTIONS } from '../../../contract/expressions.ts';
import { literalUnion } from '../../domain/avatar-schema.ts';

/** `{ name, intensity? }` (contract/expressions.ts), as a preview, a video and a live session take it. */
export function expressionSchema(description: string) {
  return Type.Object(
    {
      name: literalUnion(EMOTIONS, '`neutral` shows none'),
      intensity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1 })),
    },
    { additionalProperties: false, description },
  );
}
