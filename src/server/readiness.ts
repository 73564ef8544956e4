import { vectorExtensionAdvice } from '../db/assess-vector-extension.ts';
import { checkDatabase } from '../db/check-database.ts';
import type { Database } from '../db/open-database.ts';
import type { ReadRouter } from '../db/read-router.ts';
import type { ModelState } from '../embedding/query-embedder.ts';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: {
    readonly database: string;
    readonly model: string;
    readonly migrations: string;
    /** With read replicas only: how many are in rotation. None is no reason to be unready (reads fall back to the primary), but it is said here. */
    readonly replicas?: string;
    /** Only when pgvector lacks fixes this project relies on: what to upgrade. No reason to be unready. */
    readonly pgvector?: string;
  };
}

/** `2 of 2 in rotation`, or which are out and why. */
export function describeReplicas(reads: ReadRouter): string {
  const replicas = reads.status().filter((p) => p.name !== 'primary');
  const out = replicas.filter((p) => p.state !== 'ok');
  const inRotation = replicas.length - out.length;
  const why = out.map((p) => `${p.name} ${p.state}`).join(', ');
  if (inRotation === 0) return `none in rotation, reads on the primary (${why})`;
  return `${inRotation} of ${replicas.length} in rotation${why ? ` (${why})` : ''}`;
}

export interface ReadinessOptions {
  /** Skip the migrations check (several catalog queries) when a recent probe found none pending, so that probes stay cheap while the server is busy. */
  readonly migrationsKnownCurrent?: boolean;
  readonly reads?: ReadRouter;
  /** Why the stored vectors cannot be ranked against this server's model, or null (SearchService.modelMismatch). */
  readonly modelMismatch?: () => Promise<string | null>;
  /** Told the driver's error when the database is unreachable: /readyz only says which kind of failure it is. */
  readonly onDatabaseError?: (error: unknown) => void;
}

/**
 * Ready = database answers, the query model is loaded and is the database's model, and no
 * migration is pending.
 */
export async function checkReadiness(database: Database, model: () => ModelState, options: ReadinessOptions = {}): Promise<Readiness> {
  const health = await checkDatabase(database.db, options);
  if (health.error !== undefined) options.onDatabaseError?.(health.error);
  const state = model();
  const mismatch = health.database === 'ok' && options.modelMismatch ? await options.modelMismatch() : null;
  const modelCheck = mismatch !== null ? `mismatch: ${mismatch}` : state.state === 'ready' ? 'ok' : state.state === 'failed' ? `failed: ${state.reason}` : 'loading';
  const replicas = options.reads && options.reads.replicaCount > 0 ? { replicas: describeReplicas(options.reads) } : {};
  const advice = vectorExtensionAdvice(database.vectorExtension);
  const pgvector = advice ? { pgvector: advice } : {};
  return { ready: health.database === 'ok' && health.migrations === 'ok' && modelCheck === 'ok', checks: { database: health.database, model: modelCheck, migrations: health.migrations, ...replicas, ...pgvector } };
}
