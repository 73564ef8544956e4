import type pg from 'pg';
import type { Database } from '../db/open-database.ts';
import { pendingQueries, storeQueryEmbedding, storeQueryError, type PendingQuery } from '../db/search-queries-repository.ts';
import { normalizeText } from '../embedding/normalize-text.ts';
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
 * embedded gets `error` set; it never stops the worker.
 */
export async function startQueryEmbeddingWorker(options: QueryEmbeddingWorkerOptions): Promise<QueryEmbeddingWorker> {
  const { database, logger } = options;
  const batchSize = options.batchSize ?? 32;
  let closed = false;
  let running: Promise<number> | null = null;
  let again = false;

  const handle = async (rows: readonly PendingQuery[]) => {
    const normalized = rows.map((r) => ({ id: r.id, text: normalizeText(r.text) }));
    const good = normalized.filter((r) => r.text !== '');
    for (const row of normalized.filter((r) => r.text === '')) await storeQueryError(database.db, row.id, 'empty text: nothing to embed');
    if (good.length === 0) return;
    try {
      const vectors = await options.embed(good.map((r) => r.text));
      for (const [i, row] of good.entries()) await storeQueryEmbedding(database.db, row.id, vectors[i]!);
    } catch {
      // Isolate the culprit: one at a time, recording each failure on its own row.
      for (const row of good) {
        try {
          const [vector] = await options.embed([row.text]);
          await storeQueryEmbedding(database.db, row.id, vector!);
        } catch (error) {
          await storeQueryError(database.db, row.id, (error as Error).message.slice(0, 500));
        }
      }
    }
  };

  const drainOnce = async (): Promise<number> => {
    let handled = 0;
    for (;;) {
      const rows = await pendingQueries(database.db, batchSize);
      if (rows.length === 0) return handled;
      await handle(rows);
      handled += rows.length;
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

  const kick = () => {
    if (!closed) drain().catch((error: Error) => logger.warn(`embedding search_queries failed: ${error.message}`));
  };

  let listener: pg.PoolClient | null = null;
  if (database.mode === 'server') {
    listener = await database.pool.connect();
    listener.on('notification', kick);
    await listener.query('listen search_queries');
  }
  const timer = setInterval(kick, options.pollMs ?? 500);
  kick();

  return {
    drain,
    async close() {
      closed = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
      if (listener) {
        await listener.query('unlisten *').catch(() => undefined);
        listener.release();
      }
    },
  };
}
