// A real VRM fixture whose glTF JSON is inflated with extra nodes: the shape of the upload that stalled the API
// (issue 12: 14.7 MB, 780k nodes, under the 16 MiB JSON cap). Shared by the intake tests and `npm run reliability`.
import { readFileSync } from 'node:fs';
import { VRM_FIXTURES } from '../fixtures.ts';

const MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

/** The fixture (VRM 0.x by default) with `extraNodes` unreferenced nodes appended to its `nodes`. */
export function vrmWithExtraNodes(extraNodes: number, fixture: string = VRM_FIXTURES.v0): Buffer {
  const file = readFileSync(fixture);
  const jsonLength = file.readUInt32LE(12);
  const gltf = JSON.parse(file.subarray(20, 20 + jsonLength).toString('utf8'));
  const binStart = 20 + jsonLength;
  const bin = binStart < file.length ? file.subarray(binStart + 8, binStart + 8 + file.readUInt32LE(binStart)) : null;
  for (let i = 0; i < extraNodes; i += 1) gltf.nodes.push({ name: `n${i}` });
  return packGlb(Buffer.from(JSON.stringify(gltf), 'utf8'), bin);
}

/** The hostile upload of issue 12: about 780,000 nodes, 14.7 MB. */
export function hostileVrm(): Buffer {
  return vrmWithExtraNodes(780_000);
}

function packGlb(json: Buffer, bin: Buffer | null): Buffer {
  const parts = [Buffer.alloc(12), chunkHeader(padded(json.length), CHUNK_JSON), pad(json, 0x20)];
  if (bin) parts.push(chunkHeader(padded(bin.length), CHUNK_BIN), pad(bin, 0));
  const glb = Buffer.concat(parts);
  glb.writeUInt32LE(MAGIC, 0);
  glb.writeUInt32LE(2, 4);
  glb.writeUInt32LE(glb.length, 8);
  return glb;
}

function chunkHeader(length: number, type: number): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(type, 4);
  return header;
}

const padded = (length: number) => length + ((4 - (length % 4)) % 4);
const pad = (bytes: Buffer, fill: number) => Buffer.concat([bytes, Buffer.alloc(padded(bytes.length) - bytes.length, fill)]);
