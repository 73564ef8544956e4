import { sql, type Kysely } from 'kysely';
import type { CorpusStats } from '../shared/search-types.ts';
import type { DB } from './schema.ts';

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
