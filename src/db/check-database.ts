import { sql, type Kysely } from 'kysely';
import { pendingMigrations } from './migrations.ts';

export interface DatabaseHealth {
  /** `ok`, or `unreachable: <reason>`. */
  readonly database: string;
  /** `ok`, `pending: <names>`, or `unknown` when the database cannot be asked. */
  readonly migrations: string;
}

/** The database half of readiness: it answers, and no migration is pending. */
export async function checkDatabase(db: Kysely<any>, options: { migrationsKnownCurrent?: boolean } = {}): Promise<DatabaseHealth> {
  try {
    await sql`select 1`.execute(db);
    const pending = options.migrationsKnownCurrent ? [] : await pendingMigrations(db);
    return { database: 'ok', migrations: pending.length > 0 ? `pending: ${pending.join(', ')}` : 'ok' };
  } catch (error) {
    return { database: `unreachable: ${(error as Error).message}`, migrations: 'unknown' };
  }
}
