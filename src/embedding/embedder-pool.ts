import type { Worker } from 'node:worker_threads';
import { AppError, ErrorCode, type ErrorCode as Code } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import type { BackendRequest } from '../config/embed-backends.ts';
import { resolveBackend } from './activate-backend.ts';
import type { EmbedWorkerData, FromWorker, ToWorker } from './embed-worker.ts';
import { ensureUseLiteOnnxFile } from './onnx/use-lite-onnx-file.ts';
import type { UseLitePrecision } from './onnx/use-lite-onnx-graph.ts';
import { USE_DIMENSIONS, type Embedder } from './embedder.ts';
import { lengthBatches } from './length-batches.ts';
import { loadUseTokenizer } from './use-tokenizer.ts';
import { startWorker } from '../worker/start-worker.ts';

export interface EmbedderPoolOptions {
  readonly workers: number;
  readonly backend: BackendRequest;
  readonly precision: UseLitePrecision;
  /** Stored with the vectors: tells float from int8 ones. */
  readonly modelId: string;
  readonly batchSize: number;
  readonly modelCacheDir: string;
  readonly logger: Logger;
  /** ONNX Runtime threads per worker; 1 by default, as the workers are the parallelism. */
  readonly threads?: number;
  /** Starts one embedding worker; injected by tests, e.g. to make one fail to start. */
  readonly startWorker?: (workerData: EmbedWorkerData) => Worker;
}

interface Job {
  readonly id: number;
  /** The batch's token ids, text after text, and each text's count. */
  readonly tokens: Int32Array;
  readonly lengths: Int32Array;
  readonly resolve: (flat: Float32Array) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Sent to the worker, oldest first; it answers in order. */
  sent: Job[];
}

/**
 * Batches handed to a worker ahead of time. With two, a worker finishing a batch starts
 * the next at once instead of waiting for the main thread (which may be busy parsing,
 * projecting or loading) to hand it one.
 */
const PREFETCH = 2;

/**
 * Bulk embedding on worker_threads, one model per worker: the wasm backend has no threads
 * of its own under Node, and an ONNX Runtime call blocks the thread that makes it (which
 * must not be the one reading, deduplicating and loading). Inputs are cut into
 * length-sorted batches that any free worker takes; results are put back in input order.
 */
export async function createEmbedderPool(options: EmbedderPoolOptions): Promise<Embedder> {
  const queue: Job[] = [];
  const slots: Slot[] = [];
  // Every worker started and not yet exited, ready or not: what close() and a failed start must stop.
  const live = new Set<Worker>();
  const launch = options.startWorker ?? ((data: EmbedWorkerData) => startWorker(import.meta.url, 'embed-worker', data));
  let nextId = 1;
  let closed = false;
  // Resolved here once, so every worker runs the same runtime; the ONNX model is
  // generated before the workers start rather than by each of them.
  const backend = await resolveBackend(options.backend, (m) => options.logger.warn(m));
  const { precision } = options;
  const modelFile = backend === 'onnx' ? await ensureUseLiteOnnxFile(options.modelCacheDir, undefined, { precision }) : undefined;
  const tokenize = await loadUseTokenizer();
  // One ORT thread per worker by default: the workers are the parallelism, and a
  // single-threaded session has no thread pool to hand work across.
  const workerData: EmbedWorkerData = { backend, precision, modelCacheDir: options.modelCacheDir, modelFile, threads: options.threads ?? 1 };

  const dispatch = () => {
    for (let depth = 1; depth <= PREFETCH; depth++) {
      for (const slot of slots) {
        if (slot.sent.length >= depth || queue.length === 0) continue;
        const job = queue.shift()!;
        slot.sent.push(job);
        // Transferred: a job is sent once.
        slot.worker.postMessage({ type: 'embed', id: job.id, tokens: job.tokens, lengths: job.lengths } satisfies ToWorker, [
          job.tokens.buffer as ArrayBuffer,
          job.lengths.buffer as ArrayBuffer,
        ]);
      }
    }
  };

  const spawn = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = launch(workerData);
      live.add(worker);
      const slot: Slot = { worker, sent: [] };
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            resolve(slot);
            break;
          case 'warn':
            options.logger.warn(message.message);
            break;
          case 'failed':
            reject(new AppError(ErrorCode.INTERNAL, `embedding worker failed to start: ${message.message}`));
            break;
          case 'result':
          case 'error': {
            const job = slot.sent[0]?.id === message.id ? slot.sent.shift() : undefined;
            if (job) {
              if (message.type === 'result') job.resolve(message.vectors);
              else job.reject(new AppError((message.code as Code | undefined) ?? ErrorCode.INTERNAL, message.message));
            }
            dispatch();
            break;
          }
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        for (const job of slot.sent.splice(0)) job.reject(new AppError(ErrorCode.INTERNAL, `embedding worker crashed: ${error.message}`));
      });
      worker.on('exit', (code) => {
        live.delete(worker);
        const index = slots.indexOf(slot);
        if (index >= 0) slots.splice(index, 1);
        if (!ready) reject(new AppError(ErrorCode.INTERNAL, `embedding worker exited with code ${code} before it was ready`));
        if (closed || !ready) return;
        // A crashed worker is replaced so the pool keeps its size.
        options.logger.warn(`embedding worker exited with code ${code}; starting a new one`);
        spawn().then(
          (s) => {
            // The pool may have closed while the replacement was starting.
            if (closed) void s.worker.terminate();
            else {
              slots.push(s);
              dispatch();
            }
          },
          (e: Error) => options.logger.error(e.message),
        );
      });
    });

  const count = Math.max(1, options.workers);
  // allSettled, not all: every start must have finished before a failure stops the
  // ones that did start, or a worker still starting would be left running.
  const started = await Promise.allSettled(Array.from({ length: count }, spawn));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    closed = true;
    await Promise.all([...live].map((w) => w.terminate()));
    throw failed.reason;
  }
  slots.push(...started.map((r) => (r as PromiseFulfilledResult<Slot>).value));

  const submit = (encodings: readonly number[][]): Promise<Float32Array> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedder pool is closed'));
      const lengths = Int32Array.from(encodings, (e) => e.length);
      const tokens = new Int32Array(lengths.reduce((sum, n) => sum + n, 0));
      let at = 0;
      for (const e of encodings) {
        tokens.set(e, at);
        at += e.length;
      }
      queue.push({ id: nextId++, tokens, lengths, resolve, reject });
      dispatch();
    });

  return {
    modelId: options.modelId,
    dimensions: USE_DIMENSIONS,
    backend,
    async embed(texts) {
      // Tokenised here, so that batches group texts of equal token counts: grouped by
      // characters they padded half as many slots again for attention and pooling.
      const encodings = texts.map(tokenize);
      const out = new Array<Float32Array>(texts.length);
      const batches = lengthBatches(encodings.map((e) => e.length), options.batchSize);
      await Promise.all(
        batches.map(async (batch) => {
          const flat = await submit(batch.map((i) => encodings[i]!));
          batch.forEach((index, row) => (out[index] = flat.subarray(row * USE_DIMENSIONS, (row + 1) * USE_DIMENSIONS)));
        }),
      );
      return out;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedder pool closed'));
      await Promise.all([...live].map((w) => w.terminate()));
    },
  };
}
