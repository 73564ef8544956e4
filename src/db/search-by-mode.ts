import { sql, type Kysely } from 'kysely';
import type { SearchMode } from '../shared/search-mode.ts';
import type { DateRange, ScoredHeadline } from '../shared/search-types.ts';
import type { DB } from './schema.ts';
import { fullVector } from './full-vector-type.ts';
import { vectorParameter } from './vector-parameter.ts';

interface ModeRow {
  id: string;
  published_on: string;
  text: string;
  similarity: number;
  rank: number;
  score: number;
  matched_terms?: string[];
}

/**
 * One search in the given mode, through the very SQL functions analysts call (migrations
 * 0004, 0006 and 0012), so both get identical rows, order and scores.
 */
export async function searchByMode(db: Kysely<DB>, mode: SearchMode, queryText: string, embedding: Float32Array, k: number, range: DateRange, withMatchedTerms = true, reduced: Float32Array | null = null): Promise<ScoredHeadline[]> {
  const vector = sql`${vectorParameter(embedding)}::${fullVector}`;
  const args = sql`${k}::int, ${range.from}::date, ${range.to}::date`;
  // The query already projected by the stored projection (migration 0015's query_reduced);
  // null leaves the projection to SQL.
  const projected = reduced ? sql`, ${vectorParameter(reduced)}::halfvec` : sql``;
  const source =
    mode === 'HYBRID'
      ? sql`hybrid_search(${queryText}, ${vector}, ${args}${projected})`
      : mode === 'KEYWORD'
        ? sql`keyword_search(${queryText}, ${vector}, ${args})`
        : sql`(select s.*, s.similarity as score from semantic_search(${vector}, ${args}${projected}) s)`;
  // Hybrid rankings may have corrected misspelled words: their edges name the corpus word matched.
  const matched = !withMatchedTerms ? sql`` : mode === 'HYBRID' ? sql`, matched_terms(${queryText}, r.text, c.corrected) as matched_terms` : sql`, matched_terms(${queryText}, r.text) as matched_terms`;
  const corrections = withMatchedTerms && mode === 'HYBRID' ? sql`cross join (select search_correction(${queryText}, ${range.from}::date, ${range.to}::date) as corrected offset 0) c` : sql``;
  const { rows } = await sql<ModeRow>`
    select r.id, r.published_on, r.text, r.similarity, r.rank, r.score${matched}
    from ${source} r ${corrections}
    order by r.rank`.execute(db);
  return rows.map((r) => ({ id: r.id, publishedOn: r.published_on, text: r.text, similarity: r.similarity, rank: r.rank, score: r.score, matchedTerms: r.matched_terms ?? [] }));
}
