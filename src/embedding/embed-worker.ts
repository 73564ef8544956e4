import { parentPort, workerData } from 'node:worker_threads';
import { loadSentenceEncoder, type SentenceEncoderOptions } from './load-sentence-encoder.ts';

/** Messages between the pool and a worker. */
/** `tokens`: a batch's token ids, text after text; `lengths`: each text's count. */
export type ToWorker = { readonly type: 'embed'; readonly id: number; readonly tokens: Int32Array; readonly lengths: Int32Array };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly vectors: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly message: string; readonly code?: string }
  | { readonly type: 'warn'; readonly message: string }
  | { readonly type: 'failed'; readonly message: string };

const port = parentPort!;
export type EmbedWorkerData = Omit<SentenceEncoderOptions, 'warn'>;
const options = workerData as EmbedWorkerData;

try {
  const warn = (message: string) => port.postMessage({ type: 'warn', message } satisfies FromWorker);
  const encoder = await loadSentenceEncoder({ ...options, warn });
  // The pool sends the next batch before this one is done (so a busy main thread never
  // leaves this worker idle); batches still run one at a time, in order.
  let queue: Promise<void> = Promise.resolve();
  const run = async (message: ToWorker) => {
    try {
      // Texts arrive tokenised and grouped by length; one model call per batch.
      let at = 0;
      const encodings = Array.from(message.lengths, (n) => Array.from(message.tokens.subarray(at, (at += n))));
      const flat = await encoder.embedTokens(encodings);
      // Transfer only a buffer we own outright (never a view into backend memory).
      const vectors = flat.byteOffset === 0 && flat.buffer.byteLength === flat.byteLength ? flat : flat.slice();
      port.postMessage({ type: 'result', id: message.id, vectors } satisfies FromWorker, [vectors.buffer as ArrayBuffer]);
    } catch (error) {
      const e = error as Error & { code?: string };
      port.postMessage({ type: 'error', id: message.id, message: e.message, code: e.code } satisfies FromWorker);
    }
  };
  port.on('message', (message: ToWorker) => {
    queue = queue.then(() => run(message));
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
} catch (error) {
  port.postMessage({ type: 'failed', message: (error as Error).message } satisfies FromWorker);
}
