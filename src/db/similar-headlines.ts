import { sql, type Kysely } from 'kysely';
import type { DateRange, ScoredHeadline } from '../shared/search-types.ts';
import type { DB } from './schema.ts';

interface FunctionRow {
  id: string;
  published_on: string;
  text: string;
  similarity: number;
  rank: number;
}

// A neighbour search has no query text: its score is its similarity and nothing is matched.
const toScored = (r: FunctionRow): ScoredHeadline => ({ id: r.id, publishedOn: r.published_on, text: r.text, similarity: r.similarity, rank: r.rank, score: r.similarity, matchedTerms: [] });

/**
 * The API searches through the very SQL functions analysts call (migration 0004), so both
 * return identical rows, order and similarities.
 */
export async function similarHeadlines(db: Kysely<DB>, id: string, k: number, range: DateRange): Promise<ScoredHeadline[]> {
  const { rows } = await sql<FunctionRow>`
    select id, published_on, text, similarity, rank
    from similar_headlines(${id}::bigint, ${k}::int, ${range.from}::date, ${range.to}::date)
    order by rank`.execute(db);
  return rows.map(toScored);
}
