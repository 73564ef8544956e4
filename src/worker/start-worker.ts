import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (a sibling of `from`, without extension). From dist/ it
 * is plain JS; from source (tests, dev) the worker first registers tsx.
 */
export function startWorker(from: string, name: string, workerData: unknown): Worker {
  const fromSource = from.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, from);
  if (!fromSource) return new Worker(url, { workerData });
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
