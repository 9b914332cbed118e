// Test support (not a test file): reads the real VRM fixtures and re-packs them into the broken or edited GLBs
// that the intake tests feed to inspectVrm.
import { readFileSync } from 'node:fs';
import { rejectionOf as sourceRejection } from '../../../test/harness/source-rejection.ts';
import { inspectVrm } from './inspect-vrm.ts';

const MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

export interface UnpackedGlb {
  gltf: Record<string, any>;
  bin: Buffer | null;
}

/** Splits a well-formed GLB (a fixture) into its parsed JSON and its BIN chunk. */
export function unpackGlb(file: Buffer): UnpackedGlb {
  const jsonLength = file.readUInt32LE(12);
  const gltf = JSON.parse(file.subarray(20, 20 + jsonLength).toString('utf8'));
  const binStart = 20 + jsonLength;
  const bin = binStart < file.length ? file.subarray(binStart + 8, binStart + 8 + file.readUInt32LE(binStart)) : null;
  return { gltf, bin };
}

/** A GLB from raw chunk bytes; `pad: false` leaves the JSON chunk unaligned. */
export function packGlbChunks(json: Buffer, bin: Buffer | null, pad = true): Buffer {
  const jsonChunk = pad ? padTo4(json, 0x20) : json;
  const parts = [Buffer.alloc(12), chunkHeader(jsonChunk.length, CHUNK_JSON), jsonChunk];
  if (bin) {
    const binChunk = padTo4(bin, 0);
    parts.push(chunkHeader(binChunk.length, CHUNK_BIN), binChunk);
  }
  const glb = Buffer.concat(parts);
  glb.writeUInt32LE(MAGIC, 0);
  glb.writeUInt32LE(2, 4);
  glb.writeUInt32LE(glb.length, 8);
  return glb;
}

export function packGlb(gltf: unknown, bin: Buffer | null, pad = true): Buffer {
  return packGlbChunks(Buffer.from(JSON.stringify(gltf), 'utf8'), bin, pad);
}

/** A fixture with its glTF JSON changed by `edit`, re-packed with its original binary chunk. */
export function editedFixture(path: string, edit: (gltf: Record<string, any>) => void): Buffer {
  const { gltf, bin } = unpackGlb(readFileSync(path));
  edit(gltf);
  return packGlb(gltf, bin);
}

function chunkHeader(length: number, type: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(type, 4);
  return header;
}

function padTo4(bytes: Buffer, fill: number): Buffer {
  const padding = (4 - (bytes.length % 4)) % 4;
  return padding === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(padding, fill)]);
}

/** Asserts that inspectVrm refuses the file with a SourceRejected, and returns its sentence. */
export const rejectionOf = (file: Buffer) => sourceRejection(inspectVrm(file));
