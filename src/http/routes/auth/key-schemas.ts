import { Type, type Static } from '@sinclair/typebox';
import { SCOPES } from '../../../domain/context.ts';
import { KEYS_DEFAULT_LIMIT, KEYS_MAX_LIMIT } from '../../../domain/keys/api-key-verbs.ts';
import { PRINCIPAL_ID, SINGLE_LINE_TEXT } from '../../../domain/text-rules.ts';
import { pageQuery } from '../../schemas/common-schemas.ts';

export const Scope = Type.Union(SCOPES.map((s) => Type.Literal(s)));

export const CreateKeyBody = Type.Object(
  {
    scopes: Type.Array(Scope, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: PRINCIPAL_ID })),
    name: Type.Optional(Type.String({ maxLength: 200, pattern: SINGLE_LINE_TEXT })),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

const nullableString = Type.Union([Type.String(), Type.Null()]);
const timestamp = Type.String({ format: 'date-time' });
export const ApiKey = Type.Object(
  {
    id: Type.String(),
    name: nullableString,
    prefix: Type.String(),
    userId: Type.String(),
    organizationId: nullableString,
    scopes: Type.Array(Scope),
    createdAt: timestamp,
    expiresAt: Type.Union([timestamp, Type.Null()]),
    revokedAt: Type.Union([timestamp, Type.Null()]),
  },
  { $id: 'ApiKey' },
);

export const KeyIdParams = Type.Object({ id: Type.String() });
export type KeyIdParams = Static<typeof KeyIdParams>;

export const ListKeysQuery = Type.Object(
  { ...pageQuery({ default: KEYS_DEFAULT_LIMIT, maximum: KEYS_MAX_LIMIT }) },
  { additionalProperties: false },
);
export type ListKeysQuery = Static<typeof ListKeysQuery>;
