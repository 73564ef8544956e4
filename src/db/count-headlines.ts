import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

export async function countHeadlines(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from headlines`.execute(db);
  return rows[0]!.n;
}
