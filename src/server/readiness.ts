import { sql } from 'kysely';
import { pendingMigrations } from '../db/migrations.ts';
import type { Database } from '../db/open-database.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly database: string; readonly model: string; readonly migrations: string };
}

/**
 * Ready = database answers, the query model is loaded, and no migration is pending.
 * `migrationsKnownCurrent`: skip the migrations check (several catalog queries) when a
 * recent probe found none pending, so that probes stay cheap while the server is busy.
 */
export async function checkReadiness(database: Database, modelLoaded: () => boolean, options: { migrationsKnownCurrent?: boolean } = {}): Promise<Readiness> {
  let db = 'ok';
  let migrations = 'ok';
  try {
    await sql`select 1`.execute(database.db);
    const pending = options.migrationsKnownCurrent ? [] : await pendingMigrations(database.db);
    if (pending.length > 0) migrations = `pending: ${pending.join(', ')}`;
  } catch (error) {
    db = `unreachable: ${(error as Error).message}`;
    migrations = 'unknown';
  }
  const model = modelLoaded() ? 'ok' : 'loading';
  return { ready: db === 'ok' && migrations === 'ok' && model === 'ok', checks: { database: db, model, migrations } };
}
