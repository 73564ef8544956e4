import { sql, type Kysely } from 'kysely';
import type { CorpusStats, DateRange, HeadlineRow, ScoredHeadline } from '../shared/search-types.ts';
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

export async function findHeadline(db: Kysely<DB>, id: string): Promise<HeadlineRow | null> {
  const row = await db.selectFrom('headlines').select(['id', 'published_on', 'text']).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, publishedOn: row.published_on, text: row.text } : null;
}

export async function corpusStats(db: Kysely<DB>): Promise<Omit<CorpusStats, 'model' | 'replicaLagMs'> & { model: string | null }> {
  const { rows } = await sql<{ n: number; earliest: string | null; latest: string | null; model: string | null; kind: string | null; dims: number | null }>`
    select (select count(*)::int from headlines) as n,
           (select min(published_on) from headlines) as earliest,
           (select max(published_on) from headlines) as latest,
           p.model_id as model, p.kind, p.dimensions as dims
    from (select 1) one left join projection p on p.id = 1`.execute(db);
  const r = rows[0]!;
  return {
    headlines: r.n,
    earliest: r.earliest,
    latest: r.latest,
    model: r.model,
    projection: r.kind ? `${r.kind}-${r.dims}` : 'none stored',
    dimensions: r.dims ?? 0,
  };
}
