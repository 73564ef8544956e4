import { sql, type Kysely } from 'kysely';
import type { CopyRow } from './binary-copy.ts';
import type { DB } from './schema.ts';
import { fromVectorLiteral } from './vector-literal.ts';

/**
 * Every stored headline with both its vectors, in id order, `batchSize` rows at a time
 * (keyset paging, so memory stays flat at any size): what another database can load as is.
 */
export async function* storedHeadlineBatches(db: Kysely<DB>, batchSize: number): AsyncGenerator<CopyRow[]> {
  let after = '0';
  for (;;) {
    const { rows } = await sql<{ id: string; published_on: string; text: string; embedding: string; embedding_reduced: string }>`
      select id, published_on, text, embedding::text as embedding, embedding_reduced::text as embedding_reduced
      from headlines where id > ${after}::bigint order by id limit ${batchSize}`.execute(db);
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    yield rows.map((r) => ({ publishedOn: r.published_on, text: r.text, embedding: fromVectorLiteral(r.embedding), reduced: fromVectorLiteral(r.embedding_reduced) }));
  }
}
