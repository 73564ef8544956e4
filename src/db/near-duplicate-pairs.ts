import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Positions are 0-based indexes into the ids passed; `earlier` < `later`. */
export interface NearDuplicatePair {
  readonly earlier: number;
  readonly later: number;
  readonly similarity: number;
}

/** near_duplicate_pairs() (migration 0008): pairs of a ranking at or above a full-vector cosine similarity. */
export async function nearDuplicatePairs(db: Kysely<DB>, ids: readonly string[], minSimilarity: number): Promise<NearDuplicatePair[]> {
  if (ids.length < 2) return [];
  const { rows } = await sql<{ earlier_position: number; later_position: number; similarity: number }>`
    select earlier_position, later_position, similarity
    from near_duplicate_pairs(${ids}::bigint[], ${minSimilarity}::float8)`.execute(db);
  return rows.map((r) => ({ earlier: r.earlier_position - 1, later: r.later_position - 1, similarity: r.similarity }));
}
