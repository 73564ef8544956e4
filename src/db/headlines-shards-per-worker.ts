import { sql, type Kysely } from 'kysely';

/** The most shards of distributed `headlines` that one worker holds (0 when it has none). */
export async function headlinesShardsPerWorker(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select coalesce(max(n), 0)::int as n from (
      select count(*) as n
      from pg_dist_placement p join pg_dist_shard s using (shardid)
      where s.logicalrelid = 'headlines'::regclass
      group by p.groupid
    ) per_worker`.execute(db);
  return rows[0]?.n ?? 0;
}
