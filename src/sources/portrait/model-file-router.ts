import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { io } from '@tensorflow/tfjs';

/** The part of a tfjs namespace this router uses; Human's bundled tfjs is typed `any`. */
export interface TfjsIo {
  io: {
    registerLoadRouter(router: (url: string | string[]) => io.IOHandler | null): void;
    getModelArtifactsForJSON(
      modelJSON: io.ModelJSON,
      loadWeights: (manifest: io.WeightsManifestConfig) => Promise<[io.WeightsManifestEntry[], ArrayBuffer]>,
    ): Promise<io.ModelArtifacts>;
  };
}

/**
 * Lets tfjs load `file://` model URLs from disk. Node's fetch cannot read files and tfjs-node (which has such
 * a handler) downloads a native binary at install, so the models that ship inside the npm package are read here.
 */
export function registerFileModelRouter(tf: TfjsIo): void {
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    return { load: () => loadModelFile(tf, fileURLToPath(url)) };
  });
}

async function loadModelFile(tf: TfjsIo, modelJsonPath: string): Promise<io.ModelArtifacts> {
  const modelJSON = JSON.parse(await readFile(modelJsonPath, 'utf8')) as io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs: io.WeightsManifestEntry[] = [];
    const shards: Buffer[] = [];
    for (const group of manifest) {
      for (const shard of group.paths) shards.push(await readFile(path.join(path.dirname(modelJsonPath), shard)));
      specs.push(...group.weights);
    }
    const weights = Buffer.concat(shards);
    return [specs, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer];
  });
}
