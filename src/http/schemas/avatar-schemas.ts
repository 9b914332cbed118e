import { Type, type Static } from '@sinclair/typebox';
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from '../../domain/text-rules.ts';
import { ConfigInput, literalUnion, OnDemandInput, ResourcesInput } from '../../domain/avatar-schema.ts';
import { RENDER_STYLES, TIERS } from '../../model/avatar-fields.ts';
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT } from '../../domain/avatars/list-avatars.ts';
import { pageQuery } from './common-schemas.ts';
import { expressionSchema } from './expression-schema.ts';

// The answers' shapes are the domain's; routes take them from here with the request schemas.
export { Avatar, AvatarSummary } from '../../domain/avatar-schema.ts';

/**
 * The avatar routes' request schemas: they validate requests (Ajv, formats in validator.ts) and document them, so
 * the document cannot drift from what the server accepts. The answer's shape is the domain's (domain/avatar-schema.ts).
 */
const name = Type.String({ minLength: 1, maxLength: 200, pattern: SINGLE_LINE_TEXT });
const description = Type.Union([Type.String({ maxLength: 2000, pattern: MULTI_LINE_TEXT }), Type.Null()]);
const orbColor = Type.String({ pattern: '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$', description: 'hex colour, e.g. #22d3ee' });
const orbSize = Type.Number({ exclusiveMinimum: 0, maximum: 4 });

const mutableFields = {
  description: Type.Optional(description),
  renderStyle: Type.Optional(literalUnion(RENDER_STYLES, 'stylized_3d only')),
  orbColor: Type.Optional(orbColor),
  orbSize: Type.Optional(orbSize),
  resources: Type.Optional(Type.Partial(ResourcesInput)),
  config: Type.Optional(Type.Partial(ConfigInput)),
  onDemand: Type.Optional(Type.Partial(OnDemandInput)),
};

export const CreateAvatarBody = Type.Object({ name, tier: literalUnion(TIERS), ...mutableFields }, { additionalProperties: false });
export type CreateAvatarBody = Static<typeof CreateAvatarBody>;

/** Read-only fields a client may send back unchanged; their values are ignored. */
const readOnly = Type.Optional(Type.Unknown());
export const UpdateAvatarBody = Type.Object(
  {
    name: Type.Optional(name),
    ...mutableFields,
    tier: Type.Optional(Type.String()),
    _id: readOnly,
    status: readOnly,
    error: readOnly,
    preprocessed: readOnly,
    sourceModel: readOnly,
    sourceImage: readOnly,
    sourceInfo: readOnly,
    renderingEndpoint: readOnly,
    deployment: readOnly,
    userId: readOnly,
    organizationId: readOnly,
    createdAt: readOnly,
    updatedAt: readOnly,
  },
  { additionalProperties: false },
);
export type UpdateAvatarBody = Static<typeof UpdateAvatarBody>;

export const AvatarIdParams = Type.Object({ id: Type.String({ description: 'Avatar ID (avt_...)' }) });
export type AvatarIdParams = Static<typeof AvatarIdParams>;

export const ListAvatarsQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200, pattern: SINGLE_LINE_TEXT, description: 'exact name' })),
    ...pageQuery({ default: LIST_DEFAULT_LIMIT, maximum: LIST_MAX_LIMIT }),
  },
  { additionalProperties: false },
);
export type ListAvatarsQuery = Static<typeof ListAvatarsQuery>;

/** The body of POST /avatars/:id/preview; it may be left out (the seed's call has none). */
export const PreviewAvatarBody = Type.Object(
  {
    expression: Type.Optional(
      expressionSchema('the emotion the portrait shows throughout the clip (Tier 2/3; a VRM shows it in the browser)'),
    ),
  },
  { additionalProperties: false },
);
export type PreviewAvatarBody = Static<typeof PreviewAvatarBody>;
