import { sql } from 'kysely';
import type { Database } from './open-database.ts';

/** Where a running CREATE INDEX / REINDEX on `headlines` is, as PostgreSQL reports it. */
export interface IndexBuildProgress {
  /** pg_stat_progress_create_index's phase, e.g. "building index: loading tuples"; "building index" when unknown. */
  readonly phase: string;
  /** Tuples put into the graph so far, and the planner's estimate of all of them; null when not reported. */
  readonly tuplesDone: number | null;
  readonly tuplesTotal: number | null;
  readonly elapsedSeconds: number;
}

export type IndexBuildListener = (progress: IndexBuildProgress) => void;

interface ProgressRow {
  phase: string;
  tuples_done: string;
  tuples_total: string;
}

/**
 * Reports an index build on `headlines` at once and then every `intervalMs` until stopped. A server is asked
 * through another pooled connection (the build holds its own). PGlite is one session that
 * is busy with the build, so there only the phase and the elapsed time are reported.
 */
export function watchIndexBuild(database: Database, listener: IndexBuildListener, intervalMs = 1000): () => Promise<void> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let stopped = false;
  let polling: Promise<void> = Promise.resolve();

  const unknown = () => listener({ phase: 'building index', tuplesDone: null, tuplesTotal: null, elapsedSeconds: elapsed() });
  const poll = async () => {
    if (database.mode === 'embedded') return unknown();
    // pgvector counts tuples done but leaves tuples_total at 0: the table's row estimate
    // (fresh from the ANALYZE before the build) stands in for it.
    const { rows } = await sql<ProgressRow>`
      select p.phase, p.tuples_done::text, coalesce(nullif(p.tuples_total, 0), greatest(c.reltuples, 0)::bigint)::text as tuples_total
      from pg_stat_progress_create_index p
      join pg_class c on c.oid = p.relid
      where p.relid = 'headlines'::regclass and p.datid = (select oid from pg_database where datname = current_database())`.execute(database.db);
    const row = rows[0];
    if (stopped || !row) return;
    const total = Number(row.tuples_total);
    listener({ phase: row.phase, tuplesDone: total > 0 ? Math.min(Number(row.tuples_done), total) : null, tuplesTotal: total > 0 ? total : null, elapsedSeconds: elapsed() });
  };

  // At once, so even a build shorter than one interval says that it started.
  unknown();
  const timer = setInterval(() => {
    // One poll at a time; a failed poll (e.g. the pool closing) only skips a report.
    polling = polling.then(poll).catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await polling;
  };
}
