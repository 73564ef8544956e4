import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * The query as hybrid_search read it after correcting words the corpus (nearly) lacks
 * (migration 0020's corrected_query), or null when nothing was corrected.
 */
export async function correctedQuery(db: Kysely<DB>, queryText: string): Promise<string | null> {
  const { rows } = await sql<{ corrected: string | null }>`select corrected_query(${queryText}) as corrected`.execute(db);
  return rows[0]?.corrected ?? null;
}
