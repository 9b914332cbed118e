import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VRM_FIXTURES } from '../../../test/fixtures.ts';
import { MAX_JSON_CHUNK_BYTES } from './glb-container.ts';
import { packGlbChunks, rejectionOf, unpackGlb } from './test-glb-files.ts';

const fixture = () => Buffer.from(readFileSync(VRM_FIXTURES.overrides));

/** A fixture copy with one little-endian uint32 overwritten. */
function withUint32(offset: number, value: number, file: Buffer = fixture()): Buffer {
  file.writeUInt32LE(value, offset);
  return file;
}

/** A GLB header (magic, version 2, length) followed by `rest`; the length is the real one. */
function glbWith(rest: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + rest.length, 8);
  return Buffer.concat([header, rest]);
}

function chunk(type: string, data: Buffer, declaredLength = data.length): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(declaredLength, 0);
  header.write(type.padEnd(4, '\0'), 4, 'latin1');
  return Buffer.concat([header, data]);
}

const JSON_OF_FIXTURE = () => {
  const file = fixture();
  const length = file.readUInt32LE(12);
  return file.subarray(20, 20 + length);
};

describe('GLB container checks', () => {
  it('refuses an empty file', async () => {
    expect(await rejectionOf(Buffer.alloc(0))).toBe('The file is empty; upload a VRM model (.vrm).');
  });

  it('refuses random bytes, and a PNG, as not being a GLB', async () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
    expect(await rejectionOf(random)).toMatch(/^The file is not a VRM model: a VRM is a binary glTF \(GLB\) file/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(await rejectionOf(png)).toMatch(/starts with the bytes 'glTF'/);
  });

  it('refuses a file with the wrong magic', async () => {
    const file = fixture();
    file.write('gLTF', 0, 'latin1');
    expect(await rejectionOf(file)).toMatch(/^The file is not a VRM model/);
  });

  it('refuses a file that ends inside its header', async () => {
    expect(await rejectionOf(fixture().subarray(0, 7))).toBe(
      'The file is truncated: it ends after 7 bytes, inside its 12-byte GLB header.',
    );
  });

  it('refuses GLB version 1', async () => {
    expect(await rejectionOf(withUint32(4, 1))).toBe('The file is a GLB of version 1; only glTF 2.0 models (GLB version 2) are supported.');
  });

  it('refuses a truncated file: the header declares more than arrived', async () => {
    const whole = fixture();
    const message = await rejectionOf(whole.subarray(0, 10_000));
    expect(message).toBe(
      `The file is truncated: its header declares 20.7 KiB (${whole.length} bytes) but only 9.8 KiB (10000 bytes) arrived.`,
    );
  });

  it('refuses a header whose length lies in either direction', async () => {
    const file = fixture();
    expect(await rejectionOf(withUint32(8, file.length + 4))).toMatch(/^The file is truncated: its header declares/);
    expect(await rejectionOf(withUint32(8, file.length - 100))).toBe(
      `The file's header declares ${file.length - 100} bytes but the file has ${file.length}; ` +
        'it is corrupt or something was appended to it.',
    );
    const appended = Buffer.concat([file, Buffer.from('trailing junk')]);
    expect(await rejectionOf(appended)).toMatch(/something was appended/);
  });

  it('refuses a JSON chunk whose length runs past the end of the file', async () => {
    const file = fixture();
    const message = await rejectionOf(withUint32(12, file.length));
    expect(message).toBe(
      `The model's JSON chunk declares 20.7 KiB (${file.length} bytes) but only ${file.length - 20} bytes follow it in the file.`,
    );
  });

  it('refuses a huge declared JSON chunk without reading it', async () => {
    const message = await rejectionOf(withUint32(12, 0xffff_fff0));
    expect(message).toMatch(/^The model's JSON chunk declares 4 GiB \(4294967280 bytes\) but only \d+ bytes follow it/);
  });

  it('refuses a JSON chunk larger than 16 MiB that is really there', async () => {
    const json = Buffer.alloc(MAX_JSON_CHUNK_BYTES + 4 * 1024 * 1024, 0x20);
    json.write('{"asset":{"version":"2.0"}}', 0);
    expect(await rejectionOf(glbWith(chunk('JSON', json)))).toBe("The model's JSON chunk is 20 MiB; at most 16 MiB is allowed.");
  });

  it('refuses a file whose first chunk is not JSON', async () => {
    const bin = chunk('BIN', Buffer.alloc(16));
    expect(await rejectionOf(glbWith(bin))).toBe("The file's first chunk is of type BIN, not JSON; a GLB must start with its JSON chunk.");
    expect(await rejectionOf(glbWith(Buffer.alloc(0)))).toBe('The file ends right after its GLB header; a VRM must have a JSON chunk.');
  });

  it('refuses an empty JSON chunk, a second JSON chunk, a misplaced BIN chunk and stray bytes', async () => {
    const json = JSON_OF_FIXTURE();
    expect(await rejectionOf(glbWith(chunk('JSON', Buffer.alloc(0))))).toBe("The model's JSON chunk is empty.");
    expect(await rejectionOf(glbWith(Buffer.concat([chunk('JSON', json), chunk('JSON', json)])))).toBe(
      'The file has a second JSON chunk; a GLB has exactly one, at its start.',
    );
    const misplaced = Buffer.concat([chunk('JSON', json), chunk('XTRA', Buffer.alloc(4)), chunk('BIN', Buffer.alloc(8))]);
    expect(await rejectionOf(glbWith(misplaced))).toMatch(/binary \(BIN\) chunk that is not right after its JSON chunk/);
    expect(await rejectionOf(glbWith(Buffer.concat([chunk('JSON', json), Buffer.alloc(3)])))).toBe(
      'The file has 3 stray bytes after its last chunk, too few to be a chunk; it is corrupt.',
    );
  });

  it('refuses a BIN chunk whose length runs past the end of the file', async () => {
    const { gltf, bin } = unpackGlb(fixture());
    const file = packGlbChunks(Buffer.from(JSON.stringify(gltf)), bin);
    const binHeader = 20 + file.readUInt32LE(12);
    const message = await rejectionOf(withUint32(binHeader, bin!.length + 64, file));
    expect(message).toMatch(/^The file's chunk 2 \(BIN\) declares 13.4 KiB \(13772 bytes\) but only 13708 bytes follow it\.$/);
  });
});

describe('the JSON chunk', () => {
  const jsonGlb = (text: string | Buffer) => glbWith(chunk('JSON', Buffer.from(text)));

  it('refuses text that is not JSON, naming the parse error', async () => {
    expect(await rejectionOf(jsonGlb('{"asset": {"version": "2.0"'))).toMatch(/^The model's JSON chunk is not valid JSON \(.+\)\.$/);
  });

  it('refuses JSON that is not an object', async () => {
    expect(await rejectionOf(jsonGlb('[1, 2, 3]'))).toBe("The model's JSON chunk holds an array where a glTF object was expected.");
    expect(await rejectionOf(jsonGlb('"glTF"'))).toBe("The model's JSON chunk holds a string where a glTF object was expected.");
    expect(await rejectionOf(jsonGlb('null'))).toBe("The model's JSON chunk holds null where a glTF object was expected.");
  });

  it('refuses bytes that are not UTF-8', async () => {
    expect(await rejectionOf(jsonGlb(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])))).toBe("The model's JSON chunk is not valid UTF-8 text.");
  });

  it('refuses nesting deep enough to overflow the validator, before the validator runs', async () => {
    // 100 000 levels crash gltf-validator with an uncaught stack overflow that would end the process.
    const deep = `{"asset":{"version":"2.0"},"extras":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(await rejectionOf(jsonGlb(deep))).toBe(
      "The model's JSON nests more than 64 levels deep; no glTF model needs that, so the file is refused.",
    );
  });

  it('does not count brackets inside strings as nesting', async () => {
    const { gltf, bin } = unpackGlb(fixture());
    gltf.extras = { note: `${'['.repeat(500)}\\"${'{'.repeat(500)}` };
    const message = await rejectionOf(packGlbChunks(Buffer.from(JSON.stringify({ ...gltf, extensions: {} })), bin));
    expect(message).toMatch(/without VRM data/);
  });
});
