import { parentPort, threadId, workerData } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { loadSentenceEncoder, type SentenceEncoderOptions } from './load-sentence-encoder.ts';

/** One job: a batch's token ids, text after text (`tokens`), and each text's count (`lengths`). */
export interface EmbedTask {
  readonly tokens: Int32Array;
  readonly lengths: Int32Array;
}
/** A batch's vectors, row after row, or why the model refused it. */
export type EmbedOutcome = Float32Array | { readonly error: string; readonly code?: string };
/** What a worker tells the pool besides its jobs' outcomes; `thread` names the worker. */
export type WorkerEvent =
  | { readonly type: 'ready'; readonly thread: number }
  | { readonly type: 'failed'; readonly thread: number; readonly message: string }
  | { readonly type: 'warn'; readonly message: string };

export type EmbedWorkerData = Omit<SentenceEncoderOptions, 'warn'>;

const port = parentPort!;
const tell = (event: WorkerEvent) => port.postMessage(event);
const loaded = await loadSentenceEncoder({ ...(workerData as EmbedWorkerData), warn: (message) => tell({ type: 'warn', message }) }).then(
  (encoder) => {
    tell({ type: 'ready', thread: threadId });
    return encoder;
  },
  // Reported, not thrown: the pool then fails every job at once with this reason.
  (error: unknown) => {
    tell({ type: 'failed', thread: threadId, message: (error as Error).message });
    return null;
  },
);

// The pool hands a worker its next batch before this one is done (so a busy main thread never
// leaves it idle); batches still run one at a time, in order.
let queue: Promise<unknown> = Promise.resolve();

export default function embed(task: EmbedTask): Promise<EmbedOutcome> {
  const run = async (): Promise<EmbedOutcome> => {
    if (!loaded) return { error: 'the embedding model did not load in this worker' };
    try {
      let at = 0;
      const encodings = Array.from(task.lengths, (n) => Array.from(task.tokens.subarray(at, (at += n))));
      const flat = await loaded.embedTokens(encodings);
      // Transfer only a buffer we own outright (never a view into backend memory).
      const vectors = flat.byteOffset === 0 && flat.buffer.byteLength === flat.byteLength ? flat : flat.slice();
      return Piscina.move(vectors) as Float32Array;
    } catch (error) {
      const e = error as Error & { code?: string };
      return { error: e.message, code: e.code };
    }
  };
  const result = queue.then(run);
  queue = result;
  return result;
}
