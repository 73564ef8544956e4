import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { fullVector } from './full-vector-type.ts';
import { toVectorLiteral } from './vector-literal.ts';

export interface PendingQuery {
  readonly id: string;
  readonly text: string;
}

/** Stores results for claimed rows, inside the claim's transaction. */
export interface QueryResults {
  embedding(id: string, embedding: Float32Array): Promise<void>;
  error(id: string, error: string): Promise<void>;
}

/**
 * Up to `limit` of the oldest pending rows, handed to `body` with the means to store their
 * results. With `lock` (any server several API instances may share), the rows are claimed
 * for the whole of `body` in one transaction, FOR UPDATE SKIP LOCKED: another embedder
 * takes other rows instead of waiting or repeating the work, and if this process dies the
 * transaction rolls back, so its rows are pending again for the next embedder. Without it
 * (PGlite: one process, one session that a transaction would hold through the embedding),
 * the rows are read and stored outside any transaction.
 */
export async function withPendingQueries<T>(db: Kysely<DB>, limit: number, lock: boolean, body: (rows: PendingQuery[], results: QueryResults) => Promise<T>): Promise<T> {
  const work = async (on: Kysely<DB>) => {
    let pending = on.selectFrom('search_queries').select(['id', 'text']).where('embedded_at', 'is', null).orderBy('id').limit(limit);
    if (lock) pending = pending.forUpdate().skipLocked();
    return body(await pending.execute(), { embedding: (id, e) => storeQueryEmbedding(on, id, e), error: (id, e) => storeQueryError(on, id, e) });
  };
  return lock ? db.transaction().execute(work) : work(db);
}

async function storeQueryEmbedding(db: Kysely<DB>, id: string, embedding: Float32Array): Promise<void> {
  await sql`update search_queries set embedding = ${toVectorLiteral(embedding)}::${fullVector}, embedded_at = now()
            where id = ${id}::bigint and embedded_at is null`.execute(db);
}

async function storeQueryError(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await sql`update search_queries set error = ${error}, embedded_at = now() where id = ${id}::bigint and embedded_at is null`.execute(db);
}

/** LOG_QUERIES: a served search, already embedded. */
export async function recordServedQuery(db: Kysely<DB>, text: string, embedding: Float32Array): Promise<void> {
  await sql`insert into search_queries (text, embedding, embedded_at) values (${text}, ${toVectorLiteral(embedding)}::${fullVector}, now())`.execute(db);
}
