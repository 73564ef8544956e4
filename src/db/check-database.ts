import { sql, type Kysely } from 'kysely';
import { unreachableReason } from './database-errors.ts';
import { pendingMigrations } from './migrations.ts';
import { unreachableCitusWorkers } from './unreachable-citus-workers.ts';

export interface DatabaseHealth {
  /** `ok`, or `unreachable: <reason>` in words that name no host or user. */
  readonly database: string;
  /** `ok`, `pending: <names>`, or `unknown` when the database cannot be asked. */
  readonly migrations: string;
  /** The driver's own error when unreachable: for the log only. */
  readonly error?: unknown;
}

/** The database half of readiness: it answers, and no migration is pending. */
export async function checkDatabase(db: Kysely<any>, options: { migrationsKnownCurrent?: boolean } = {}): Promise<DatabaseHealth> {
  try {
    // The round trip that shows the database answers also says whether it is a Citus node.
    const { rows } = await sql<{ citus: boolean }>`select to_regclass('pg_catalog.pg_dist_node') is not null as citus`.execute(db);
    const down = await unreachableCitusWorkers(db, rows[0]?.citus === true);
    if (down.length > 0) return { database: `unreachable: Citus worker ${down.join(', ')} does not answer the coordinator`, migrations: 'unknown' };
    const pending = options.migrationsKnownCurrent ? [] : await pendingMigrations(db);
    return { database: 'ok', migrations: pending.length > 0 ? `pending: ${pending.join(', ')}` : 'ok' };
  } catch (error) {
    return { database: `unreachable: ${unreachableReason(error)}`, migrations: 'unknown', error };
  }
}
