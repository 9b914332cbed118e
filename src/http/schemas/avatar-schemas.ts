import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { MULTI_LINE_TEXT, SINGLE_LINE_TEXT } from '../../domain/text-rules.ts';
import { DEPLOYMENT_STATES, GPU_TYPES, RENDER_STYLES, SCHEDULING_MODES, STATUSES, TIERS } from '../../domain/tiers.ts';

/**
 * The avatar's JSON schemas: they validate requests (Ajv, formats in validator.ts) and are the
 * OpenAPI document's components, so the document cannot drift from what the server accepts.
 */
const literalUnion = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

export const ResourcesInput = Type.Object(
  {
    cpu: Type.String({ format: 'k8s-quantity', maxLength: 32, description: 'Kubernetes CPU quantity, e.g. "100m" or "2"' }),
    memory: Type.String({ format: 'k8s-quantity', maxLength: 32, description: 'Kubernetes memory quantity, e.g. "256Mi"' }),
    gpu: Type.Integer({ minimum: 0, maximum: 8 }),
    gpuType: literalUnion(GPU_TYPES),
  },
  { additionalProperties: false },
);

export const ConfigInput = Type.Object(
  {
    resolution: Type.String({ format: 'resolution', description: 'WxH, each side an even number 64..4096' }),
    frameRate: Type.Integer({ minimum: 1, maximum: 120 }),
    idleMotion: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const OnDemandInput = Type.Object(
  {
    schedulingMode: literalUnion(SCHEDULING_MODES),
    autoShutdownMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  },
  { additionalProperties: false },
);

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
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type ListAvatarsQuery = Static<typeof ListAvatarsQuery>;

const timestamp = Type.String({ format: 'date-time' });
const nullableString = Type.Union([Type.String(), Type.Null()]);

export const AvatarSummary = Type.Object(
  {
    _id: Type.String(),
    name: Type.String(),
    tier: literalUnion(TIERS),
    status: literalUnion(STATUSES),
    userId: Type.String(),
    organizationId: nullableString,
    createdAt: timestamp,
  },
  { $id: 'AvatarSummary' },
);

export const Avatar = Type.Object(
  {
    _id: Type.String(),
    name: Type.String(),
    description: nullableString,
    tier: literalUnion(TIERS),
    renderStyle: Type.Optional(literalUnion(RENDER_STYLES)),
    orbColor: Type.Optional(Type.String()),
    orbSize: Type.Optional(Type.Number()),
    preprocessed: Type.Boolean(),
    status: literalUnion(STATUSES),
    error: nullableString,
    resources: Type.Partial(ResourcesInput),
    config: ConfigInput,
    onDemand: Type.Optional(Type.Union([OnDemandInput, Type.Null()])),
    sourceModel: nullableString,
    sourceImage: Type.Optional(nullableString),
    sourceInfo: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    renderingEndpoint: nullableString,
    deployment: Type.Optional(
      Type.Object(
        {
          state: literalUnion(DEPLOYMENT_STATES),
          since: Type.Union([timestamp, Type.Null()], { description: 'when it entered this state; null before the first deploy' }),
          restarts: Type.Integer({ minimum: 0 }),
          lastError: nullableString,
        },
        { description: 'Tier 2/3: the rendering container' },
      ),
    ),
    userId: Type.String(),
    organizationId: nullableString,
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  { $id: 'Avatar' },
);
