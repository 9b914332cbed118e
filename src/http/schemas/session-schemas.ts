import { type Static, Type } from '@sinclair/typebox';
import { SESSIONS_DEFAULT_LIMIT, SESSIONS_MAX_LIMIT } from '../../domain/sessions/list-live-sessions.ts';
import { SINGLE_LINE_TEXT } from '../../domain/text-rules.ts';
import { pageQuery } from './common-schemas.ts';
import { expressionSchema } from './expression-schema.ts';

export const SessionIdParams = Type.Object({ id: Type.String({ description: 'ses_…' }) });
export type SessionIdParams = Static<typeof SessionIdParams>;

/** The body of POST /avatars/:id/sessions; it may be left out (a WHEP session). */
export const StartLiveSessionBody = Type.Object(
  {
    transport: Type.Optional(
      Type.Union([Type.Literal('whep'), Type.Literal('livekit')], {
        default: 'whep',
        description: '`whep`: viewers watch over WHEP and the agent speaks on `url`. `livekit`: the avatar joins the room of `livekit`.',
      }),
    ),
    livekit: Type.Optional(
      Type.Object(
        {
          url: Type.String({
            minLength: 1,
            maxLength: 2048,
            pattern: SINGLE_LINE_TEXT,
            description: "the LiveKit server's ws(s):// or http(s):// URL",
          }),
          token: Type.String({
            minLength: 1,
            maxLength: 8192,
            description: 'a room token for the avatar (kind `agent`, attribute `lk.publish_on_behalf` = the agent identity)',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    expression: Type.Optional(
      expressionSchema(
        'the emotion the face shows from the first frame, held until the agent sets another (its `expression` message, or `lk.expression` on LiveKit)',
      ),
    ),
  },
  { additionalProperties: false },
);
export type StartLiveSessionBody = Static<typeof StartLiveSessionBody>;

const Metrics = Type.Object({
  timeToFirstFrameMs: Type.Union([Type.Number(), Type.Null()]),
  fps: Type.Number(),
  latencyMs: Type.Union([Type.Object({ p50: Type.Number(), p95: Type.Number() }), Type.Null()]),
  driftMs: Type.Union([Type.Number(), Type.Null()]),
  maxDriftMs: Type.Union([Type.Number(), Type.Null()]),
  framesDrawn: Type.Integer(),
  framesSkipped: Type.Integer(),
  framesDropped: Type.Integer({ description: "frames the agent socket's frame output dropped for a slow reader" }),
  audioDroppedMs: Type.Number({ description: 'audio it dropped likewise, past its cap' }),
  viewers: Type.Integer(),
  speechSeconds: Type.Number(),
  queuedMs: Type.Number(),
});

const EndReason = Type.Union([Type.String(), Type.Null()], {
  description:
    'null while active; end, deleted, max-session, idle, shutdown, agent-left, room-closed (LiveKit), renderer-failed (its container crashed) or renderer-gone (its container stopped or lost it)',
});

export const LiveSession = Type.Object(
  {
    _id: Type.String(),
    avatarId: Type.String(),
    transport: Type.Union([Type.Literal('whep'), Type.Literal('livekit')]),
    state: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    endReason: EndReason,
    participantIdentity: Type.Union([Type.String(), Type.Null()], { description: "a LiveKit session's avatar participant" }),
    metrics: Type.Union([Metrics, Type.Null()], {
      description: 'live figures from the rendering container (the last known once ended); null when it did not answer',
    }),
  },
  { $id: 'LiveSession' },
);

export const ListLiveSessionsQuery = Type.Object(
  {
    ...pageQuery({ default: SESSIONS_DEFAULT_LIMIT, maximum: SESSIONS_MAX_LIMIT }),
  },
  { additionalProperties: false },
);
export type ListLiveSessionsQuery = Static<typeof ListLiveSessionsQuery>;

/** GET /sessions/:id/status: what a session's viewers may know of it (its token opens it, not an API key). */
export const LiveSessionStatus = Type.Object(
  {
    sessionId: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
    endReason: EndReason,
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'LiveSessionStatus' },
);
