import type { Database } from '../db/open-database.ts';
import type { ModelState } from '../embedding/query-embedder.ts';
import type { Logger } from '../logger.ts';
import { checkReadiness, type Readiness, type ReadinessOptions } from './readiness.ts';

/** Migrations are only ever added, so a clean check stays good for a while; the database itself is asked on every probe. */
const MIGRATIONS_RECHECK_MS = 30_000;

/**
 * /readyz as probed every few seconds, also while the server is busy: the full check, but
 * the migrations part (several catalog queries) at most every 30 s once it came back clean.
 */
export function createReadinessProbe(database: Database, model: () => ModelState, logger: Logger, options: Pick<ReadinessOptions, 'reads' | 'modelMismatch'> = {}): () => Promise<Readiness> {
  let migrationsCurrentUntil = 0;
  // Probes come every few seconds: the log hears of an outage when its error changes, not on every probe.
  let lastError = '';
  const onDatabaseError = (error: unknown) => {
    const text = error instanceof Error ? error.message : String(error);
    if (text !== lastError) logger.warn(`readiness: database unreachable: ${text}`);
    lastError = text;
  };
  return async () => {
    const full = performance.now() >= migrationsCurrentUntil;
    const readiness = await checkReadiness(database, model, { ...options, onDatabaseError, migrationsKnownCurrent: !full });
    if (readiness.checks.database === 'ok') lastError = '';
    if (full && readiness.checks.database === 'ok' && readiness.checks.migrations === 'ok') migrationsCurrentUntil = performance.now() + MIGRATIONS_RECHECK_MS;
    return readiness;
  };
}
