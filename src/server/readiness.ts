import { checkDatabase } from '../db/check-database.ts';
import type { Database } from '../db/open-database.ts';
import type { ModelState } from '../embedding/query-embedder.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly database: string; readonly model: string; readonly migrations: string };
}

/**
 * Ready = database answers, the query model is loaded, and no migration is pending.
 * `migrationsKnownCurrent`: skip the migrations check (several catalog queries) when a
 * recent probe found none pending, so that probes stay cheap while the server is busy.
 */
export async function checkReadiness(database: Database, model: () => ModelState, options: { migrationsKnownCurrent?: boolean } = {}): Promise<Readiness> {
  const health = await checkDatabase(database.db, options);
  const state = model();
  const modelCheck = state.state === 'ready' ? 'ok' : state.state === 'failed' ? `failed: ${state.reason}` : 'loading';
  return { ready: health.database === 'ok' && health.migrations === 'ok' && modelCheck === 'ok', checks: { database: health.database, model: modelCheck, migrations: health.migrations } };
}
