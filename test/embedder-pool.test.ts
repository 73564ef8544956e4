import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createEmbedderPool } from '../src/embedding/embedder-pool.ts';
import { createLogger } from '../src/logger.ts';

// Stand-ins for embed-worker.ts that speak its start-up protocol and nothing else.
const READY_AND_STAY = `const { parentPort } = require('node:worker_threads'); setInterval(() => {}, 1000); parentPort.postMessage({ type: 'ready' });`;
const FAIL_TO_START = `const { parentPort } = require('node:worker_threads'); setTimeout(() => parentPort.postMessage({ type: 'failed', message: 'no model here' }), 200);`;

function scriptedWorkers(scripts: string[]) {
  const started: Worker[] = [];
  const exited = new Set<Worker>();
  const startWorker = () => {
    const worker = new Worker(scripts[started.length % scripts.length]!, { eval: true });
    started.push(worker);
    worker.once('exit', () => exited.add(worker));
    return worker;
  };
  return { started, exited, startWorker };
}

const options = { backend: 'wasm' as const, precision: 'float32' as const, modelId: 'test-model', batchSize: 8, modelCacheDir: '/nonexistent', logger: createLogger('silent') };

test('when one worker fails to start, the pool stops every worker that did start and rejects', async () => {
  const workers = scriptedWorkers([READY_AND_STAY, FAIL_TO_START, READY_AND_STAY]);
  await assert.rejects(createEmbedderPool({ ...options, workers: 3, startWorker: workers.startWorker }), /failed to start: no model here/);
  assert.equal(workers.started.length, 3);
  // terminate() has resolved for each before the rejection; exit events follow on this tick.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(workers.exited.size, 3, 'every started worker has exited');
});

test('a worker that exits before it is ready fails the start instead of hanging it', async () => {
  const workers = scriptedWorkers([READY_AND_STAY, 'process.exit(3)']);
  await assert.rejects(createEmbedderPool({ ...options, workers: 2, startWorker: workers.startWorker }), /exited with code 3 before it was ready/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(workers.exited.size, 2);
});

test('close() stops every worker, including one started to replace a crashed worker', async () => {
  const workers = scriptedWorkers([READY_AND_STAY]);
  const pool = await createEmbedderPool({ ...options, workers: 2, startWorker: workers.startWorker });
  await Promise.all([workers.started[0]!.terminate(), pool.close()]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(workers.started.length >= 2);
  assert.equal(workers.exited.size, workers.started.length, 'no worker is left running');
  await assert.rejects(pool.embed(['after close']), /closed/);
});

test('embed() puts the results of length-sorted batches back in input order', async () => {
  // A worker that "embeds" each text as its token count, to check that results come back in input order.
  const LENGTHS = `const { parentPort } = require('node:worker_threads');
    parentPort.on('message', (m) => { const v = new Float32Array(m.lengths.length * 512); m.lengths.forEach((n, i) => v[i * 512] = n); parentPort.postMessage({ type: 'result', id: m.id, vectors: v }); });
    parentPort.postMessage({ type: 'ready' });`;
  const workers = scriptedWorkers([LENGTHS]);
  const pool = await createEmbedderPool({ ...options, workers: 2, startWorker: workers.startWorker });
  try {
    const words = Array.from({ length: 40 }, (_, i) => ((i * 7) % 23) + 1);
    const vectors = await pool.embed(words.map((n) => 'storm '.repeat(n)));
    assert.deepEqual(vectors.map((v) => v[0]), words, 'one token a word, in input order');
  } finally {
    await pool.close();
  }
});
