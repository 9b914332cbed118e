import { type Static, Type } from '@sinclair/typebox';
import { VIDEOS_DEFAULT_LIMIT, VIDEOS_MAX_LIMIT } from '../../domain/videos/list-videos.ts';
import { pageQuery } from './common-schemas.ts';
import { expressionSchema } from './expression-schema.ts';

export const VideoIdParams = Type.Object({ id: Type.String({ description: 'vid_…' }) });
export type VideoIdParams = Static<typeof VideoIdParams>;

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const Expression = expressionSchema('the emotion the face shows throughout the clip');

/** The JSON body of POST /avatars/:id/videos: text to speak (an audio upload is multipart, VideoMultipartBody). */
export const CreateVideoBody = Type.Object(
  {
    text: Type.Optional(
      Type.String({ maxLength: 100_000, description: 'what the avatar says, spoken by the text-to-speech engine (espeak-ng, basic)' }),
    ),
    voice: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_+-]+$',
        description: 'an espeak-ng voice (`espeak-ng --voices`), default en-us',
      }),
    ),
    expression: Type.Optional(Expression),
    background: Type.Optional(
      Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'a colour behind the avatar, #rrggbb (default black)' }),
    ),
    transparent: Type.Optional(Type.Boolean({ description: 'also a WebM (VP9) with alpha: stylized_3d avatars only', default: false })),
  },
  { additionalProperties: false },
);
export type CreateVideoBody = Static<typeof CreateVideoBody>;

const binary = (description: string) => Type.String({ format: 'binary', description });

/** The multipart form of the same request, as the OpenAPI document shows it. */
export const VideoMultipartBody = Type.Object(
  {
    audio: binary('the speech: WAV, MP3, OGG/Opus, FLAC, M4A or WebM'),
    expression: Type.Optional(Type.String({ description: 'JSON, e.g. {"name":"happy","intensity":0.8}, or just the name' })),
    background: Type.Optional(Type.String({ description: '#rrggbb' })),
    backgroundImage: Type.Optional(binary('an image behind the avatar: PNG, JPEG or WebP')),
    transparent: Type.Optional(Type.String({ description: '"true" for a WebM with alpha as well (stylized_3d only)' })),
  },
  { additionalProperties: false },
);

const Background = Type.Union([Type.Object({ color: Type.String() }), Type.Object({ imageUrl: Type.String() }), Type.Null()]);

export const Video = Type.Object({
  _id: Type.String({ description: 'vid_…' }),
  avatarId: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('rendering'), Type.Literal('completed'), Type.Literal('failed')]),
  progress: Type.Number({ minimum: 0, maximum: 1, description: 'frames drawn over frames to draw, while rendering' }),
  url: nullable(Type.String({ description: 'the MP4 (H.264 + AAC, faststart), once completed' })),
  transparentUrl: nullable(Type.String({ description: 'the WebM (VP9 with alpha + Opus), once completed, when asked for' })),
  durationSeconds: Type.Number(),
  width: Type.Integer(),
  height: Type.Integer(),
  frameRate: Type.Integer(),
  error: nullable(Type.String({ description: 'why it failed, a sentence' })),
  source: Type.Union([Type.Literal('audio'), Type.Literal('text')]),
  transparent: Type.Boolean(),
  expression: Type.Union([Expression, Type.Null()]),
  background: Background,
  userId: Type.String({ description: 'who made it' }),
  organizationId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const ListVideosQuery = Type.Object(
  {
    ...pageQuery({ default: VIDEOS_DEFAULT_LIMIT, maximum: VIDEOS_MAX_LIMIT }),
  },
  { additionalProperties: false },
);
export type ListVideosQuery = Static<typeof ListVideosQuery>;
