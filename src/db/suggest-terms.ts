import { sql, type Kysely } from 'kysely';
import type { Suggestion } from '../shared/suggestion.ts';
import type { DB } from './schema.ts';

/** Completions of `prefix` from the corpus's words and word pairs, most headlines first (migration 0012's suggest). */
export async function suggestTerms(db: Kysely<DB>, prefix: string, first: number): Promise<Suggestion[]> {
  const { rows } = await sql<{ text: string; headlines: number }>`select s.text, s.headlines from suggest(${prefix}, ${first}::int) s`.execute(db);
  return rows.map((r) => ({ text: r.text, headlines: r.headlines }));
}
