import { SourceRejected } from '../source-rejected.ts';
import { formatByteSize } from './byte-size.ts';

// GLB layout (glTF 2.0 spec, "GLB File Format Specification"): a 12-byte header (magic, version, total length),
// then chunks of (uint32 length, uint32 type, data). The first chunk is JSON; an optional BIN chunk follows it.
const GLB_MAGIC = 0x46546c67; // 'glTF' read little-endian
const HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const CHUNK_JSON = 0x4e4f534a; // 'JSON'
const CHUNK_BIN = 0x004e4942; // 'BIN\0'

/** The JSON chunk is parsed whole and walked by the validator; past this it is a denial of service, not a model. */
export const MAX_JSON_CHUNK_BYTES = 16 * 1024 * 1024;

export interface GlbContainer {
  json: Buffer;
  bin: Buffer | null;
  /** The spec wants every chunk padded to 4 bytes; loaders read unpadded ones fine, so this is a warning. */
  unalignedChunks: boolean;
}

/** True when the first 4 bytes are the glTF binary magic: tells a VRM upload from an image. */
export function isGlb(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === GLB_MAGIC;
}

/** Splits a GLB into its chunks, checking every length field against the bytes that are really there. */
export function readGlbContainer(file: Buffer): GlbContainer {
  if (file.length === 0) throw new SourceRejected('The file is empty; upload a VRM model (.vrm).');
  if (!isGlb(file)) {
    throw new SourceRejected("The file is not a VRM model: a VRM is a binary glTF (GLB) file, which starts with the bytes 'glTF'.");
  }
  if (file.length < HEADER_BYTES) {
    throw new SourceRejected(`The file is truncated: it ends after ${file.length} bytes, inside its 12-byte GLB header.`);
  }
  const version = file.readUInt32LE(4);
  if (version !== 2) {
    throw new SourceRejected(`The file is a GLB of version ${version}; only glTF 2.0 models (GLB version 2) are supported.`);
  }
  const declaredLength = file.readUInt32LE(8);
  if (declaredLength > file.length) {
    throw new SourceRejected(
      `The file is truncated: its header declares ${formatByteSize(declaredLength)} (${declaredLength} bytes) ` +
        `but only ${formatByteSize(file.length)} (${file.length} bytes) arrived.`,
    );
  }
  if (declaredLength < file.length) {
    throw new SourceRejected(
      `The file's header declares ${declaredLength} bytes but the file has ${file.length}; ` +
        'it is corrupt or something was appended to it.',
    );
  }

  let offset = HEADER_BYTES;
  if (file.length - offset < CHUNK_HEADER_BYTES) {
    throw new SourceRejected('The file ends right after its GLB header; a VRM must have a JSON chunk.');
  }
  const jsonLength = file.readUInt32LE(offset);
  const jsonType = file.readUInt32LE(offset + 4);
  offset += CHUNK_HEADER_BYTES;
  if (jsonType !== CHUNK_JSON) {
    throw new SourceRejected(
      `The file's first chunk is of type ${chunkTypeName(jsonType)}, not JSON; a GLB must start with its JSON chunk.`,
    );
  }
  if (jsonLength > file.length - offset) {
    throw new SourceRejected(
      `The model's JSON chunk declares ${formatByteSize(jsonLength)} (${jsonLength} bytes) ` +
        `but only ${file.length - offset} bytes follow it in the file.`,
    );
  }
  if (jsonLength > MAX_JSON_CHUNK_BYTES) {
    throw new SourceRejected(
      `The model's JSON chunk is ${formatByteSize(jsonLength)}; at most ${formatByteSize(MAX_JSON_CHUNK_BYTES)} is allowed.`,
    );
  }
  if (jsonLength === 0) throw new SourceRejected("The model's JSON chunk is empty.");
  const json = file.subarray(offset, offset + jsonLength);
  offset += jsonLength;
  let unalignedChunks = jsonLength % 4 !== 0;

  let bin: Buffer | null = null;
  let chunkIndex = 1;
  while (offset < file.length) {
    const left = file.length - offset;
    if (left < CHUNK_HEADER_BYTES) {
      throw new SourceRejected(
        `The file has ${left} stray byte${left === 1 ? '' : 's'} after its last chunk, too few to be a chunk; it is corrupt.`,
      );
    }
    const length = file.readUInt32LE(offset);
    const type = file.readUInt32LE(offset + 4);
    offset += CHUNK_HEADER_BYTES;
    if (length > file.length - offset) {
      throw new SourceRejected(
        `The file's chunk ${chunkIndex + 1} (${chunkTypeName(type)}) declares ${formatByteSize(length)} (${length} bytes) ` +
          `but only ${file.length - offset} bytes follow it.`,
      );
    }
    if (type === CHUNK_JSON) {
      throw new SourceRejected('The file has a second JSON chunk; a GLB has exactly one, at its start.');
    }
    if (type === CHUNK_BIN) {
      if (chunkIndex !== 1) {
        throw new SourceRejected(
          'The file has a binary (BIN) chunk that is not right after its JSON chunk; a GLB has at most one, second.',
        );
      }
      bin = file.subarray(offset, offset + length);
    }
    // Chunks of other types are skipped: the GLB spec tells loaders to ignore unknown chunk types.
    if (length % 4 !== 0) unalignedChunks = true;
    offset += length;
    chunkIndex += 1;
  }
  return { json, bin, unalignedChunks };
}

/** 'JSON', 'BIN' or the hex value, for messages. */
function chunkTypeName(type: number): string {
  if (type === CHUNK_JSON) return 'JSON';
  if (type === CHUNK_BIN) return 'BIN';
  return `0x${type.toString(16).padStart(8, '0')}`;
}
