import { sql, type Kysely } from 'kysely';
import { dropInterruptedIndexBuilds } from './drop-interrupted-index-builds.ts';
import { createHnswIndexStatement, HNSW_INDEX_NAME, type HnswParams } from './hnsw-index.ts';
import { headlinesDistributed } from './headlines-distributed.ts';
import type { Database } from './open-database.ts';
import { watchIndexBuild, type IndexBuildListener } from './watch-index-build.ts';

export interface HnswBuildOptions {
  /**
   * Parallel maintenance workers on a server (the leader builds too). One is the default:
   * on a 2-core host, one worker beside the leader builds fastest, and more only compete
   * for the cores. A bigger database host wants its cores − 1.
   */
  readonly workers: number;
}

export const DEFAULT_HNSW_BUILD: HnswBuildOptions = Object.freeze({ workers: 1 });
export const MAX_HNSW_BUILD_WORKERS = 64;

/**
 * Builds the HNSW index once, after a bulk load (far faster than maintaining it row by
 * row), with room to build the graph in memory, then vacuums (visibility map, planner statistics).
 */
export async function buildHnswIndex(
  database: Database,
  dimensions: number,
  params: HnswParams,
  build: HnswBuildOptions = DEFAULT_HNSW_BUILD,
  onProgress?: IndexBuildListener,
  progressIntervalMs = 1000,
): Promise<void> {
  const started = performance.now();
  // Sampled, so cheap at any size; gives the build's progress its row count.
  if (onProgress) await sql`analyze headlines`.execute(database.db);
  const settings = [...(await citusBuildSettings(database)), ...buildSettings(database, build)];
  await watched(database, onProgress, progressIntervalMs, () =>
    database.db.transaction().execute(async (trx) => {
      await applySettings(trx, settings, true);
      // Ingests running side by side (`--part`) may finish together: one builds, the
      // others wait here and then find the index there (`if not exists`).
      await sql`select pg_advisory_xact_lock(hashtext(${HNSW_INDEX_NAME}))`.execute(trx);
      await createHnswIndexStatement(dimensions, params).execute(trx);
    }),
  );
  // VACUUM marks the freshly loaded pages all-visible, so a date range reads the index of
  // reduced vectors alone (an index-only scan) instead of visiting every heap row. It reads
  // the whole heap, so it is a phase of its own in the progress.
  onProgress?.({ phase: 'vacuuming (visibility map, statistics)', tuplesDone: null, tuplesTotal: null, elapsedSeconds: (performance.now() - started) / 1000 });
  await sql`vacuum (analyze) headlines`.execute(database.db);
}

/** Rebuilds the index with the same budget; on a server without blocking reads or writes. */
export async function rebuildHnswIndex(database: Database, build: HnswBuildOptions = DEFAULT_HNSW_BUILD, onProgress?: IndexBuildListener): Promise<void> {
  await watched(database, onProgress, 1000, () => reindex(database, buildSettings(database, build)));
  await sql`analyze headlines`.execute(database.db);
}

async function reindex(database: Database, settings: Array<[string, string]>): Promise<void> {
  if (database.mode === 'server') {
    // An earlier reindex that was interrupted left its copy; this one would leave it too.
    await dropInterruptedIndexBuilds(database.db);
    // REINDEX CONCURRENTLY cannot run in a transaction, so the budget is set for this one
    // session and reset before the connection goes back to the pool.
    await database.db.connection().execute(async (conn) => {
      try {
        await applySettings(conn, settings, false);
        await sql.raw(`reindex index concurrently ${HNSW_INDEX_NAME}`).execute(conn);
      } finally {
        for (const [name] of settings) await sql.raw(`reset ${name}`).execute(conn);
      }
    });
  } else {
    // PGlite is one session shared by every client: settings stay local to a transaction.
    await database.db.transaction().execute(async (trx) => {
      await applySettings(trx, settings, true);
      await sql.raw(`reindex index ${HNSW_INDEX_NAME}`).execute(trx);
    });
  }
}

async function watched(database: Database, onProgress: IndexBuildListener | undefined, intervalMs: number, work: () => Promise<void>): Promise<void> {
  const stop = onProgress ? watchIndexBuild(database, onProgress, intervalMs) : null;
  try {
    await work();
  } finally {
    await stop?.();
  }
}

function buildSettings(database: Database, build: HnswBuildOptions): Array<[string, string]> {
  if (!Number.isInteger(build.workers) || build.workers < 0 || build.workers > MAX_HNSW_BUILD_WORKERS) {
    throw new RangeError(`HNSW build workers must be 0..${MAX_HNSW_BUILD_WORKERS}, got ${build.workers}`);
  }
  // WebAssembly memory is limited; a server gets a generous budget and parallel workers.
  if (database.mode === 'embedded') return [['maintenance_work_mem', '256MB']];
  return [
    ['maintenance_work_mem', '1GB'],
    ['max_parallel_maintenance_workers', String(build.workers)],
  ];
}

/**
 * On Citus the shards' indexes are built in sessions the coordinator opens on the workers:
 * SET LOCAL reaches them (propagate_set_commands), and one connection per worker builds its
 * shards one after another, so a worker holds one build's maintenance_work_mem at a time.
 */
async function citusBuildSettings(database: Database): Promise<Array<[string, string]>> {
  if (database.mode !== 'server' || !(await headlinesDistributed(database.db))) return [];
  return [
    ['citus.propagate_set_commands', 'local'],
    ['citus.max_adaptive_executor_pool_size', '1'],
  ];
}

async function applySettings(db: Kysely<any>, settings: Array<[string, string]>, local: boolean): Promise<void> {
  for (const [name, value] of settings) {
    // A statement, not set_config(): Citus forwards SET LOCAL statements to the workers.
    if (local) await sql.raw(`set local ${name} = '${value.replaceAll("'", "''")}'`).execute(db);
    else await sql`select set_config(${name}, ${value}, false)`.execute(db);
  }
}
