import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';
import { uploadSource } from '../../../domain/avatars/upload-source.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';

/** Content types a raw upload may declare; the bytes themselves decide what the file is. */
const RAW_TYPES = ['model/gltf-binary', 'model/vrm', 'application/octet-stream', 'image/png', 'image/jpeg', 'image/webp'];
const ACCEPTED = `multipart/form-data with a "file" field, or the raw file as ${RAW_TYPES.join(', ')}`;

/**
 * POST /avatars/:id/source: multipart field `file`, or the raw file as the body. Bodies are read
 * up to the largest source size and no further, so memory stays bounded whatever is sent.
 */
export async function uploadSourceRoute(app: FastifyInstance, services: Services) {
  const limit = Math.max(services.config.maxVrmBytes, services.config.maxImageBytes);
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: limit, files: 1, fields: 5, parts: 6 }, throwFileSizeLimit: true });
    scope.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
    // Anything else (JSON, text, forms) is not a source file.
    scope.addContentTypeParser('*', (request, _payload, done) =>
      done(ERRORS.unsupportedMediaType(request.headers['content-type'], ACCEPTED), undefined),
    );

    scope.post<{ Params: AvatarIdParams }>(
      '/avatars/:id/source',
      {
        bodyLimit: limit,
        schema: {
          summary: 'Upload the avatar\'s source: a VRM model (stylized_3d) or a portrait photo (Tier 2/3)',
          description: `Send ${ACCEPTED}. A VRM is validated at once; a portrait is preprocessed in the background (status preprocessing, then ready or failed).`,
          tags: ['avatars'],
          security: [{ apiKey: [] }],
          params: AvatarIdParams,
          response: {
            200: Type.Object({ url: Type.String(), field: Type.Union([Type.Literal('sourceModel'), Type.Literal('sourceImage')]), size: Type.Integer() }),
            ...errorResponses(404, 409, 413, 415, 422),
          },
        },
      },
      async (request) => uploadSource(ctxOf(request, services), request.params.id, () => readUpload(request, limit)),
    );
  });
}

async function readUpload(request: FastifyRequest, limit: number): Promise<Buffer> {
  if (!request.isMultipart()) {
    if (!Buffer.isBuffer(request.body)) {
      throw ERRORS.unsupportedMediaType(request.headers['content-type'], ACCEPTED);
    }
    return request.body;
  }
  const part = await request.file();
  if (!part) throw ERRORS.validation([{ path: 'file', message: 'is required: send the source as the multipart field "file"' }]);
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw ERRORS.validation([{ path: part.fieldname, message: 'is not a known field; send the source as the multipart field "file"' }]);
  }
  try {
    return await part.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw ERRORS.payloadTooLarge(limit);
    throw error;
  }
}
