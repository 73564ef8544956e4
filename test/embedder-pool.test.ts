import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createEmbedderPool } from '../src/embedding/embedder-pool.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { createLogger } from '../src/logger.ts';

// Stand-ins for embed-worker.ts that speak its protocol: a `ready` (or `failed`) event once
// loaded, then a default export that answers each job. Written as files: a pool starts its
// threads from a module, as it does embed-worker.ts.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-embed-workers-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let scripts = 0;
function workerModule(source: string): string {
  const file = path.join(dir, `worker-${scripts++}.mjs`);
  fs.writeFileSync(file, `import { parentPort, threadId } from 'node:worker_threads';\n${source}`);
  return pathToFileURL(file).href;
}

const READY = `parentPort.postMessage({ type: 'ready', thread: threadId });`;
/** "Embeds" each text as its token count: results can be told apart and checked for order. */
const BY_LENGTH = `(m) => { const v = new Float32Array(m.lengths.length * 512); m.lengths.forEach((n, i) => (v[i * 512] = n)); return v; }`;
/** Like BY_LENGTH, but a batch with a 13-token text kills the worker in the middle of the job. */
const DIES_ON_13 = `export default async (m) => { if (m.lengths.includes(13)) process.exit(9); return (${BY_LENGTH})(m); };`;

const options = { backend: 'wasm' as const, precision: 'float32' as const, modelId: 'test-model', batchSize: 8, modelCacheDir: '/nonexistent', logger: createLogger('silent') };
const words = (n: number) => 'storm '.repeat(n).trim();
// A job must end; were one to wait forever, this fails the test instead of hanging the run.
const NEVER_HANG = { timeout: 60_000 };

test('a worker that fails to start fails the pool with its reason', NEVER_HANG, async () => {
  const failing = workerModule(`parentPort.postMessage({ type: 'failed', thread: threadId, message: 'no model here' }); export default () => null;`);
  await assert.rejects(createEmbedderPool({ ...options, workers: 3, workerFile: failing }), /failed to start: no model here/);
});

test('a worker that exits before it is ready fails the start instead of hanging it', NEVER_HANG, async () => {
  await assert.rejects(createEmbedderPool({ ...options, workers: 2, workerFile: workerModule(`process.exit(3);`) }), /exited before it was ready/);
});

test('a worker killed in the middle of a job fails that job; its replacement takes the next ones', NEVER_HANG, async () => {
  const pool = await createEmbedderPool({ ...options, workers: 1, workerFile: workerModule(`${READY}\n${DIES_ON_13}`) });
  try {
    await assert.rejects(pool.embed([words(13)]), (e: unknown) => isAppError(e, 'INTERNAL') && /embedding worker crashed: .*exited with code: 9/.test(e.message));
    const vectors = await pool.embed([words(3), words(5)]);
    assert.deepEqual(vectors.map((v) => v[0]), [3, 5], 'a new worker answered');
  } finally {
    await pool.close();
  }
});

test('when the replacement of a killed worker cannot start, every waiting job fails, and every later one', NEVER_HANG, async () => {
  // The first thread to start loads; any later one (the replacement) finds its model gone.
  const marker = path.join(dir, 'loaded-once');
  const once = workerModule(`import fs from 'node:fs';
    let first = true;
    try { fs.writeFileSync(${JSON.stringify(marker)}, '', { flag: 'wx' }); } catch { first = false; }
    if (first) ${READY} else parentPort.postMessage({ type: 'failed', thread: threadId, message: 'model files removed' });
    const answer = ${DIES_ON_13.replace('export default ', '')};
    export default (m) => (first ? answer(m) : { error: 'the embedding model did not load in this worker' });`);
  const pool = await createEmbedderPool({ ...options, workers: 1, batchSize: 1, workerFile: once });
  try {
    // One job kills the worker; those queued behind it wait for a worker that never comes.
    const dying = pool.embed([words(13)]);
    const waiting = [2, 3, 4, 5, 6, 7].map((n) => pool.embed([words(n)]));
    await assert.rejects(dying, /embedding worker crashed/);
    const settled = await Promise.allSettled(waiting);
    // Those the worker took before it died were answered or died with it; none still waits.
    const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
    for (const reason of reasons) assert.match(reason, /embedding worker crashed|failed to start: model files removed/);
    assert.ok(reasons.some((r) => /failed to start: model files removed/.test(r)), reasons.join('\n'));
    await assert.rejects(pool.embed([words(2)]), /failed to start: model files removed/);
  } finally {
    await pool.close();
  }
});

test('close() fails the jobs that are running, not only the queued ones', NEVER_HANG, async () => {
  // A worker that takes jobs, says so (as a warning, which the pool logs), and never answers them.
  let took!: () => void;
  const taken = new Promise<void>((resolve) => (took = resolve));
  const logger = createLogger('warn', (line) => void (line.includes('took a job') && took()));
  const silentWorker = workerModule(`${READY}\nexport default () => { parentPort.postMessage({ type: 'warn', message: 'took a job' }); return new Promise(() => undefined); };`);
  const pool = await createEmbedderPool({ ...options, logger, workers: 1, batchSize: 1, workerFile: silentWorker });
  // One batch, so one job: the one the worker took.
  const outcome = pool.embed([words(2)]).then(
    () => 'resolved',
    (e: Error) => e.message,
  );
  await taken;
  await pool.close();
  assert.match(await outcome, /closed/);
  await assert.rejects(pool.embed(['after close']), /closed/);
});

test('embed() puts the results of length-sorted batches back in input order', NEVER_HANG, async () => {
  const pool = await createEmbedderPool({ ...options, workers: 2, workerFile: workerModule(`${READY}\nexport default ${BY_LENGTH};`) });
  try {
    const lengths = Array.from({ length: 40 }, (_, i) => ((i * 7) % 23) + 1);
    const vectors = await pool.embed(lengths.map(words));
    assert.deepEqual(vectors.map((v) => v[0]), lengths, 'one token a word, in input order');
  } finally {
    await pool.close();
  }
});
