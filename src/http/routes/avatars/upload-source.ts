import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../domain/context.ts';
import { ERRORS } from '../../../domain/errors.ts';
import { uploadSource } from '../../../domain/avatars/upload-source.ts';
import { ctxOf } from '../../plugins/auth.ts';
import { AvatarIdParams } from '../../schemas/avatar-schemas.ts';
import { errorResponses } from '../../schemas/common-schemas.ts';
import { validatorCompiler } from '../../validator.ts';

/** Content types a raw upload may declare; the bytes themselves decide what the file is. */
const RAW_TYPES = ['model/gltf-binary', 'model/vrm', 'application/octet-stream', 'image/png', 'image/jpeg', 'image/webp'];
const ACCEPTED = `multipart/form-data with a "file" field, or the raw file as ${RAW_TYPES.join(', ')}`;

/**
 * The body as the OpenAPI document shows it (every accepted content type, the file's bytes). It documents the body
 * only: the handler reads and checks it (readUpload), so the route's validator lets every body through.
 */
const file = (description: string) => Type.String({ format: 'binary', description });
const SourceBody = {
  content: {
    'multipart/form-data': {
      schema: Type.Object({ file: file('The VRM model or the portrait photo') }, { additionalProperties: false }),
    },
    ...Object.fromEntries(RAW_TYPES.map((type) => [type, { schema: file('The file itself; its bytes decide what it is') }])),
  },
};

/**
 * POST /avatars/:id/source: multipart field `file`, or the raw file as the body. Bodies are read
 * up to the largest source size and no further, so memory stays bounded whatever is sent.
 */
export async function uploadSourceRoute(app: FastifyInstance, services: Services) {
  const limit = Math.max(services.config.maxVrmBytes, services.config.maxImageBytes);
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: limit, files: 1, fields: 5, parts: 6 }, throwFileSizeLimit: true });
    // A raw body stays unread until the verb asks for it, once the upload has its turn (config.uploads): uploads
    // waiting their turn then hold no memory and cost the API's thread nothing (TCP holds the sender back).
    scope.addContentTypeParser(RAW_TYPES, (_request, payload, done) => done(null, payload));
    // Anything else (JSON, text, forms) is not a source file.
    scope.addContentTypeParser('*', (request, _payload, done) =>
      done(ERRORS.unsupportedMediaType(request.headers['content-type'], ACCEPTED), undefined),
    );

    scope.post<{ Params: AvatarIdParams }>(
      '/avatars/:id/source',
      {
        bodyLimit: limit,
        validatorCompiler: ({ schema, method, url, httpPart }) =>
          httpPart === 'body' ? () => true : validatorCompiler({ schema, method, url, httpPart }),
        schema: {
          summary: "Upload the avatar's source: a VRM model (stylized_3d) or a portrait photo (Tier 2/3)",
          description: `Send ${ACCEPTED}. A VRM is validated at once; a portrait is preprocessed in the background (status preprocessing, then ready or failed).`,
          tags: ['avatars'],
          security: [{ apiKey: [] }],
          params: AvatarIdParams,
          body: SourceBody,
          response: {
            200: Type.Object({
              url: Type.String(),
              field: Type.Union([Type.Literal('sourceModel'), Type.Literal('sourceImage')]),
              size: Type.Integer(),
            }),
            ...errorResponses(400, 404, 409, 413, 415, 422),
          },
        },
      },
      async (request) => uploadSource(ctxOf(request, services), request.params.id, () => readUpload(request, limit)),
    );
  });
}

async function readUpload(request: FastifyRequest, limit: number): Promise<Buffer> {
  if (!request.isMultipart()) {
    if (!(request.body instanceof Readable)) {
      throw ERRORS.unsupportedMediaType(request.headers['content-type'], ACCEPTED);
    }
    return readRawBody(request.body, limit, Number(request.headers['content-length']));
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

/**
 * The raw body, at most `limit` bytes. With a Content-Length the bytes go straight into one buffer of that size (no
 * chunk list to concatenate: a 15 MB concat held the API's thread for ~20 ms); without one, chunks are gathered.
 */
async function readRawBody(body: Readable, limit: number, declared: number): Promise<Buffer> {
  if (declared > limit) {
    body.resume();
    throw ERRORS.payloadTooLarge(limit);
  }
  const into = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafeSlow(declared) : null;
  const chunks: Buffer[] = [];
  let length = 0;
  // Events rather than for-await: leaving a for-await destroys the stream, and with it the socket the 413 goes out on.
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      // Node's parser ends a sized body at its Content-Length (within the limit): only a chunked one can run over.
      if (length > limit) {
        body.off('data', onData);
        body.resume();
        reject(ERRORS.payloadTooLarge(limit));
      } else if (into) chunk.copy(into, length - chunk.length);
      else chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', () => resolve(into ? into.subarray(0, length) : Buffer.concat(chunks, length)));
    body.once('error', reject);
  });
}
