import { sql, type Kysely } from 'kysely';

/**
 * Whether `headlines` is distributed by Citus (migration 0011). Asked once per ingest or
 * index build: on a distributed table, headline_days is kept by the loader instead of by
 * triggers, and settings must reach the workers' sessions.
 */
export async function headlinesDistributed(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ known: boolean }>`select to_regprocedure('headlines_distributed()') is not null as known`.execute(db);
  if (!rows[0]?.known) return false;
  const answer = await sql<{ distributed: boolean }>`select headlines_distributed() as distributed`.execute(db);
  return answer.rows[0]?.distributed === true;
}
