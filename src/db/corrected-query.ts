import { sql, type Kysely } from 'kysely';
import type { DateRange } from '../shared/search-types.ts';
import type { DB } from './schema.ts';

/**
 * The corrected query hybrid_search searched besides the query itself (migration 0012's
 * search_correction), or null when it searched no correction.
 */
export async function correctedQuery(db: Kysely<DB>, queryText: string, range: DateRange): Promise<string | null> {
  const { rows } = await sql<{ corrected: string | null }>`select search_correction(${queryText}, ${range.from}::date, ${range.to}::date) as corrected`.execute(db);
  return rows[0]?.corrected ?? null;
}
