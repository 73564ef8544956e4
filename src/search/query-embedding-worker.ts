import { listenChannel, type ChannelListener } from '../db/listen-channel.ts';
import type { Database } from '../db/open-database.ts';
import { withPendingQueries, type PendingQuery, type QueryResults } from '../db/search-queries-repository.ts';
import { normalizeText } from '../embedding/normalize-text.ts';
import { isAppError, ErrorCode } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';

export interface QueryEmbeddingWorker {
  /** Embeds everything pending now; resolves with how many rows were handled. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

export interface QueryEmbeddingWorkerOptions {
  readonly database: Database;
  readonly embed: (texts: string[]) => Promise<Float32Array[]>;
  readonly logger: Logger;
  /** Fallback polling, and the only trigger in embedded mode (one session: no LISTEN). */
  readonly pollMs?: number;
  readonly batchSize?: number;
}

/**
 * Fills search_queries.embedding for rows inserted by SQL users. Woken by the insert
 * trigger's NOTIFY on a real server, and by polling as a fallback. A row that cannot be
 * embedded gets `error` set; it never stops the worker. Any number of workers (API
 * instances, `embed-queries`) may share a server: each row is embedded by exactly one.
 */
export async function startQueryEmbeddingWorker(options: QueryEmbeddingWorkerOptions): Promise<QueryEmbeddingWorker> {
  const { database, logger } = options;
  const batchSize = options.batchSize ?? 32;
  let closed = false;
  let running: Promise<number> | null = null;
  let again = false;

  const handle = async (rows: readonly PendingQuery[], store: QueryResults) => {
    const normalized = rows.map((r) => ({ id: r.id, text: normalizeText(r.text) }));
    const good = normalized.filter((r) => r.text !== '');
    for (const row of normalized.filter((r) => r.text === '')) await store.error(row.id, 'empty text: nothing to embed');
    if (good.length === 0) return;
    try {
      const vectors = await options.embed(good.map((r) => r.text));
      for (const [i, row] of good.entries()) await store.embedding(row.id, vectors[i]!);
    } catch (error) {
      // No model (it failed to load): the rows are not at fault, so they stay pending.
      if (isAppError(error, ErrorCode.SERVICE_UNAVAILABLE)) throw error;
      // Isolate the culprit: one at a time, recording each failure on its own row.
      for (const row of good) {
        try {
          const [vector] = await options.embed([row.text]);
          await store.embedding(row.id, vector!);
        } catch (rowError) {
          if (isAppError(rowError, ErrorCode.SERVICE_UNAVAILABLE)) throw rowError;
          await store.error(row.id, (rowError as Error).message.slice(0, 500));
        }
      }
    }
  };

  // Several API instances may embed from one server: each batch is claimed while it is embedded.
  const lock = database.mode === 'server';
  const drainOnce = async (): Promise<number> => {
    let handled = 0;
    for (;;) {
      const n = await withPendingQueries(database.db, batchSize, lock, async (rows, store) => {
        await handle(rows, store);
        return rows.length;
      });
      if (n === 0) return handled;
      handled += n;
    }
  };

  const drain = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        total += await drainOnce();
      } while (again && !closed);
      return total;
    })().finally(() => (running = null));
    return running;
  };

  // Said once per distinct failure: a model that failed to load fails every poll the same way.
  let lastFailure = '';
  const drainInBackground = () => {
    if (closed) return;
    drain().then(
      () => (lastFailure = ''),
      (error: Error) => {
        if (error.message !== lastFailure) logger.warn(`embedding search_queries failed: ${error.message}`);
        lastFailure = error.message;
      },
    );
  };

  const listener: ChannelListener | null = database.mode === 'server' ? await listenChannel(database.pool, 'search_queries', drainInBackground) : null;
  const timer = setInterval(drainInBackground, options.pollMs ?? 500);
  drainInBackground();

  return {
    drain,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      await listener?.close();
    },
  };
}
