import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { fullVector } from './full-vector-type.ts';
import { toVectorLiteral } from './vector-literal.ts';

export interface PendingQuery {
  readonly id: string;
  readonly text: string;
}

/**
 * The oldest rows still waiting. No lock is held while they are embedded: the updates
 * below only touch rows still pending, so two embedders racing merely repeat work.
 */
export async function pendingQueries(db: Kysely<DB>, limit: number): Promise<PendingQuery[]> {
  return db.selectFrom('search_queries').select(['id', 'text']).where('embedded_at', 'is', null).orderBy('id').limit(limit).execute();
}

export async function storeQueryEmbedding(db: Kysely<DB>, id: string, embedding: Float32Array): Promise<void> {
  await sql`update search_queries set embedding = ${toVectorLiteral(embedding)}::${fullVector}, embedded_at = now()
            where id = ${id}::bigint and embedded_at is null`.execute(db);
}

export async function storeQueryError(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await sql`update search_queries set error = ${error}, embedded_at = now() where id = ${id}::bigint and embedded_at is null`.execute(db);
}

/** LOG_QUERIES: a served search, already embedded. */
export async function recordServedQuery(db: Kysely<DB>, text: string, embedding: Float32Array): Promise<void> {
  await sql`insert into search_queries (text, embedding, embedded_at) values (${text}, ${toVectorLiteral(embedding)}::${fullVector}, now())`.execute(db);
}
