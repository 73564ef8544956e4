/**
 * Where a pool that starts its own threads (piscina) finds the worker module `name`, a sibling
 * of `from` without extension. From dist/ it is plain JS; from source (tests, dev) a thread
 * first registers tsx (tsx-worker.mjs), which then loads `sourceModule`, carried in the
 * thread's workerData beside the module's own.
 */
export function workerModule(from: string, name: string): { filename: string; workerData: { sourceModule?: string } } {
  if (!from.endsWith('.ts')) return { filename: new URL(`./${name}.js`, from).href, workerData: {} };
  return { filename: new URL('./tsx-worker.mjs', import.meta.url).href, workerData: { sourceModule: new URL(`./${name}.ts`, from).href } };
}
