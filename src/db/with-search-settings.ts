import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * Runs `body` in a transaction with search tunables (e.g. headline_search.rrf_k) set for
 * that transaction only: other sessions, and PGlite's single shared session, keep theirs.
 */
export async function withSearchSettings<T>(db: Kysely<DB>, settings: Readonly<Record<string, string>>, body: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    for (const [name, value] of Object.entries(settings)) await sql`select set_config(${name}, ${value}, true)`.execute(trx);
    return body(trx);
  });
}
