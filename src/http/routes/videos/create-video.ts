import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';
import { createVideo, type VideoInput } from '../../../domain/videos/create-video.ts';
import { speechSynthesizer } from '../../../videos/speech-synthesizer.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { CreateVideoBody, Video, VideoMultipartBody } from '../../schemas/video-schemas.ts';
import { validatorCompiler } from '../../validator.ts';

const TEXT_FIELDS = ['text', 'voice', 'expression', 'background', 'transparent'];

/**
 * POST /avatars/:id/videos: a JSON body with `text` to speak, or multipart/form-data with the speech as the file field
 * `audio` (and `backgroundImage`, and the JSON body's other fields as text fields). 202 with the queued job.
 */
export async function createVideoRoute(app: FastifyInstance, services: Services) {
  const { maxAudioBytes, maxImageBytes } = services.config.videos;
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: Math.max(maxAudioBytes, maxImageBytes), files: 2, fields: 8, parts: 10, fieldSize: 1024 * 1024 },
      throwFileSizeLimit: true,
    });
    const json = validatorCompiler({ schema: CreateVideoBody, method: 'POST', url: '/avatars/:id/videos', httpPart: 'body' }) as ((
      data: unknown,
    ) => boolean) & { errors?: FastifySchemaValidationError[] | null };
    // A multipart body is read by the handler (readForm), so only a JSON one meets the schema here.
    const body = Object.assign(
      (data: unknown) => {
        if (data === undefined || data === null) return true;
        const valid = json(data);
        body.errors = json.errors;
        return valid;
      },
      { errors: undefined as FastifySchemaValidationError[] | null | undefined },
    );

    scope.post<{ Params: AvatarIdParams; Body: CreateVideoBody | undefined }>(
      '/avatars/:id/videos',
      {
        bodyLimit: Math.max(maxAudioBytes, maxImageBytes) * 2 + 1024 * 1024,
        // The route takes uploads up to the audio limit, but a JSON body (text) is held to the API's usual JSON limit.
        preParsing: async (request, _reply, payload) => {
          const jsonLimit = services.config.bodyLimitBytes;
          const multipartBody = (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
          if (!multipartBody && Number(request.headers['content-length']) > jsonLimit) throw ERRORS.payloadTooLarge(jsonLimit);
          return payload;
        },
        // The multipart parser leaves a body of its own; the form is read by the handler, so the schema meets none.
        preValidation: async (request) => {
          if (request.isMultipart()) request.body = undefined;
        },
        validatorCompiler: ({ schema, method, url, httpPart }) =>
          httpPart === 'body' ? body : validatorCompiler({ schema, method, url, httpPart }),
        schema: {
          summary: 'Make a talking video: the avatar says an uploaded audio file or a text, rendered to an MP4 as a job',
          description:
            'Send JSON `{ text, voice?, expression?, background?, transparent? }`, or multipart/form-data with the file field `audio` (and optionally `backgroundImage`). Answers 202 with the job; GET /videos/:id follows it from queued to rendering (progress) to completed (url) or failed (error).',
          tags: ['videos'],
          security: [{ apiKey: [] }],
          params: AvatarIdParams,
          body: {
            content: {
              'application/json': { schema: CreateVideoBody },
              'multipart/form-data': { schema: VideoMultipartBody },
            },
          },
          response: { 202: Video, ...errorResponses(400, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        // The form is read by the verb once it knows the caller may make this video (like a source upload).
        const readInput = async () => (request.isMultipart() ? readForm(request, maxAudioBytes, maxImageBytes) : (request.body ?? {}));
        const video = await createVideo(
          ctxOf(request, services),
          request.params.id,
          readInput,
          speechSynthesizer(services.config.videos.espeakPath),
        );
        return reply.code(202).send(video);
      },
    );
  });
}

/** The multipart form as the verb's input: the files' bytes (each within its limit) and the text fields parsed. */
async function readForm(request: FastifyRequest, maxAudioBytes: number, maxImageBytes: number): Promise<VideoInput> {
  const input: VideoInput = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'audio' && part.fieldname !== 'backgroundImage') {
          part.file.resume();
          throw ERRORS.validation([
            { path: part.fieldname, message: 'is not a known file field; send the speech as "audio" and an image as "backgroundImage"' },
          ]);
        }
        const limit = part.fieldname === 'audio' ? maxAudioBytes : maxImageBytes;
        const bytes = await part.toBuffer();
        if (bytes.length > limit) throw ERRORS.payloadTooLarge(limit);
        input[part.fieldname] = bytes;
        continue;
      }
      const value = String(part.value);
      switch (part.fieldname) {
        case 'text':
        case 'voice':
        case 'background':
          input[part.fieldname] = value;
          break;
        case 'transparent':
          if (value !== 'true' && value !== 'false')
            throw ERRORS.validation([{ path: 'transparent', message: 'must be "true" or "false"' }]);
          input.transparent = value === 'true';
          break;
        case 'expression':
          input.expression = parseExpressionField(value);
          break;
        default:
          throw ERRORS.validation([
            { path: part.fieldname, message: `is not a known field; the fields are audio, backgroundImage, ${TEXT_FIELDS.join(', ')}` },
          ]);
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw ERRORS.payloadTooLarge(maxAudioBytes);
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw ERRORS.validation([
        { path: 'body', message: 'has too many parts: send one "audio", at most one "backgroundImage" and the text fields' },
      ]);
    }
    throw error;
  }
  return input;
}

/** `expression` as a form field: its JSON (`{"name":"happy","intensity":0.8}`), or just the emotion's name. */
function parseExpressionField(value: string): VideoInput['expression'] {
  if (!value.trim().startsWith('{')) return { name: value.trim() as never };
  try {
    return JSON.parse(value);
  } catch {
    throw ERRORS.validation([{ path: 'expression', message: 'is not valid JSON; give {"name":"happy","intensity":0.8} or a name' }]);
  }
}
