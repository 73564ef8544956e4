import { sql } from 'kysely';
import { headlinesDistributed } from './headlines-distributed.ts';
import type { IndexBuildListener } from './index-build-progress.ts';
import type { Database } from './open-database.ts';
import { readShardIndexBuilds } from './read-shard-index-builds.ts';
import { summarizeShardIndexBuilds } from './summarize-shard-index-builds.ts';

export type { IndexBuildListener, IndexBuildProgress } from './index-build-progress.ts';

interface ProgressRow {
  phase: string;
  tuples_done: string;
  tuples_total: string;
}

/**
 * Reports an index build on `headlines` at once and then every `intervalMs` until stopped. A server is asked
 * through another pooled connection (the build holds its own). PGlite is one session that
 * is busy with the build, so there only the phase and the elapsed time are reported.
 * On Citus the shards are built in the workers' sessions: their progress is read on the
 * workers, and the shards' indexes as they are before the build are read before this
 * returns, so that a rebuilt shard can be told from one not yet rebuilt. There, stopping
 * with `finished` reports once more, after the build's commit: every shard then counts.
 */
export async function watchIndexBuild(database: Database, listener: IndexBuildListener, intervalMs = 1000): Promise<(finished?: boolean) => Promise<void>> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let stopped = false;
  let polling: Promise<void> = Promise.resolve();

  const unknown = () => listener({ phase: 'building index', tuplesDone: null, tuplesTotal: null, elapsedSeconds: elapsed() });
  const serverPoll = async () => {
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
  let poll = async () => (database.mode === 'embedded' ? unknown() : serverPoll());
  let last = async (): Promise<void> => undefined;
  if (await headlinesDistributed(database.db)) {
    const before = new Map((await readShardIndexBuilds(database.db)).shards.map((s) => [s.shard, s.index]));
    const shardPoll = async () => listener(summarizeShardIndexBuilds(await readShardIndexBuilds(database.db), before, elapsed()));
    poll = async () => (stopped ? undefined : shardPoll());
    last = shardPoll;
  }

  // At once, so even a build shorter than one interval says that it started.
  unknown();
  const timer = setInterval(() => {
    // One poll at a time; a failed poll (e.g. the pool closing) only skips a report.
    polling = polling.then(poll).catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return async (finished = false) => {
    stopped = true;
    clearInterval(timer);
    await polling;
    if (finished) await last().catch(() => undefined);
  };
}
