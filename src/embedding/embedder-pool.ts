import { Piscina } from 'piscina';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import type { BackendRequest } from '../config/embed-backends.ts';
import { resolveBackend } from './activate-backend.ts';
import type { EmbedOutcome, EmbedTask, EmbedWorkerData, WorkerEvent } from './embed-worker.ts';
import { ensureUseLiteOnnxFile } from './onnx/use-lite-onnx-file.ts';
import type { UseLitePrecision } from './onnx/use-lite-onnx-graph.ts';
import { USE_DIMENSIONS, type Embedder } from './embedder.ts';
import { lengthBatches } from './length-batches.ts';
import { loadUseTokenizer } from './use-tokenizer.ts';
import { workerModule } from '../worker/worker-module.ts';

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
  /** The worker module's URL, speaking embed-worker.ts's protocol; injected by tests. */
  readonly workerFile?: string;
}

/**
 * Batches handed to a worker ahead of time. With two, a worker finishing a batch starts
 * the next at once instead of waiting for the main thread (which may be busy parsing,
 * projecting or loading) to hand it one.
 */
const PREFETCH = 2;

/**
 * Bulk embedding on worker threads, one model per worker: the wasm backend has no threads
 * of its own under Node, and an ONNX Runtime call blocks the thread that makes it (which
 * must not be the one reading, deduplicating and loading). Inputs are cut into
 * length-sorted batches that any free worker takes; results are put back in input order.
 *
 * piscina runs the threads: it fails the jobs of a worker that dies and starts a new one.
 * What it does not do is give up: a worker that cannot load the model leaves its queue
 * waiting forever. So every worker reports when its model is loaded, and a worker that
 * ends or fails before that breaks the pool: every job, queued or later, fails with the reason.
 */
export async function createEmbedderPool(options: EmbedderPoolOptions): Promise<Embedder> {
  // Resolved here once, so every worker runs the same runtime; the ONNX model is
  // generated before the workers start rather than by each of them.
  const backend = await resolveBackend(options.backend, (m) => options.logger.warn(m));
  const { precision } = options;
  const modelFile = backend === 'onnx' ? await ensureUseLiteOnnxFile(options.modelCacheDir, undefined, { precision }) : undefined;
  const tokenize = await loadUseTokenizer();
  // One ORT thread per worker by default: the workers are the parallelism, and a
  // single-threaded session has no thread pool to hand work across.
  const workerData: EmbedWorkerData = { backend, precision, modelCacheDir: options.modelCacheDir, modelFile, threads: options.threads ?? 1 };
  const count = Math.max(1, options.workers);
  const module = workerModule(import.meta.url, 'embed-worker');
  const pool = new Piscina({
    filename: options.workerFile ?? module.filename,
    workerData: { ...workerData, ...module.workerData },
    minThreads: count,
    maxThreads: count,
    concurrentTasksPerWorker: PREFETCH,
    idleTimeout: Number.POSITIVE_INFINITY,
  });

  const ready = new Set<number>();
  let broken: AppError | null = null;
  let closed = false;
  let destroyed: Promise<void> | null = null;
  const destroy = () => (destroyed ??= pool.destroy());
  let started!: () => void;
  let failedToStart!: (error: AppError) => void;
  const starting = new Promise<void>((resolve, reject) => ((started = resolve), (failedToStart = reject)));
  const breakPool = (reason: AppError) => {
    if (broken || closed) return;
    broken = reason;
    failedToStart(reason);
    options.logger.error(reason.message);
    // Fails every job still queued or running; later ones fail in embed(). Not from inside
    // piscina's own handling of a worker's exit, which still counts that worker as live.
    destroyed ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => pool.destroy());
  };
  pool.on('message', (event: WorkerEvent) => {
    if (event.type === 'warn') options.logger.warn(event.message);
    else if (event.type === 'failed') breakPool(new AppError(ErrorCode.SERVICE_UNAVAILABLE, `embedding worker failed to start: ${event.message}`));
    else if (event.type === 'ready') {
      ready.add(event.thread);
      if (ready.size === count) started();
    }
  });
  // The worker that ended no longer has its thread id; the ready ones still running do.
  pool.on('workerDestroy', () => {
    if (closed || broken) return;
    const running = new Set(pool.threads.map((t) => t.threadId));
    const ended = [...ready].filter((id) => !running.has(id));
    if (ended.length === 0) {
      // Deferred: piscina reports a worker's error (the better reason) just after this.
      setImmediate(() => breakPool(new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedding worker exited before it was ready')));
      return;
    }
    for (const id of ended) ready.delete(id);
    options.logger.warn('an embedding worker exited; its jobs failed and a new one is starting');
  });
  // A worker's error outside any job: the jobs that were running on it have already failed.
  pool.on('error', (error: Error) => breakPool(new AppError(ErrorCode.SERVICE_UNAVAILABLE, `embedding worker failed: ${error.message}`)));
  try {
    await starting;
  } catch (error) {
    await destroy();
    throw error;
  }

  const submit = async (encodings: readonly number[][]): Promise<Float32Array> => {
    if (closed) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedder pool is closed');
    if (broken) throw broken;
    const lengths = Int32Array.from(encodings, (e) => e.length);
    const tokens = new Int32Array(lengths.reduce((sum, n) => sum + n, 0));
    let at = 0;
    for (const e of encodings) {
      tokens.set(e, at);
      at += e.length;
    }
    let outcome: EmbedOutcome;
    try {
      // Transferred: a job is sent once.
      outcome = await pool.run({ tokens, lengths } satisfies EmbedTask, { transferList: [tokens.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer] });
    } catch (error) {
      if (closed) throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'embedder pool closed');
      if (broken) throw broken;
      throw new AppError(ErrorCode.INTERNAL, `embedding worker crashed: ${(error as Error).message}`, { cause: error });
    }
    if (outcome instanceof Float32Array) return outcome;
    if (broken) throw broken;
    throw new AppError((outcome.code as ErrorCode | undefined) ?? ErrorCode.INTERNAL, outcome.error);
  };

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
      // Rejects every job, queued or running, and waits for the threads to end.
      await destroy();
    },
  };
}
