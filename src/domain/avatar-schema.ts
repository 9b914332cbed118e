import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { DEPLOYMENT_STATES, GPU_TYPES, RENDER_STYLES, SCHEDULING_MODES, STATUSES, TIERS } from '../model/avatar-fields.ts';

/**
 * The avatar object the API answers, as a JSON schema (TypeBox): the domain's AvatarObject type is derived from it
 * (avatar-object.ts), and the HTTP layer documents it (an OpenAPI component) and builds its request bodies from
 * the parts a client sets (resources, config, onDemand). One definition, so answers, types and document agree.
 */
export const literalUnion = <T extends readonly string[]>(values: T, description?: string) =>
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

const timestamp = Type.String({ format: 'date-time' });
const nullableString = Type.Union([Type.String(), Type.Null()]);

/** An avatar as GET /avatars lists it. */
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

/** The avatar object every avatar route answers (named `Avatar` in the OpenAPI document). */
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

export type AvatarObject = Static<typeof Avatar>;
export type AvatarSummaryObject = Static<typeof AvatarSummary>;
