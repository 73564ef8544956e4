import { sql, type Kysely } from 'kysely';
import { dropInterruptedIndexBuilds } from './drop-interrupted-index-builds.ts';
import { createHnswIndexStatement, createYearIndexStatement, HNSW_INDEX_NAME, type HnswParams } from './hnsw-index.ts';
import { headlinesDistributed } from './headlines-distributed.ts';
import { headlinesShardsPerWorker } from './headlines-shards-per-worker.ts';
import type { Database } from './open-database.ts';
import { planIndexBuildMemory } from './plan-index-build-memory.ts';
import { watchIndexBuild, type IndexBuildListener } from './watch-index-build.ts';

export interface HnswBuildOptions {
  /**
   * Parallel maintenance workers on a server (the leader builds too). One is the default:
   * on a 2-core host, one worker beside the leader builds fastest, and more only compete
   * for the cores. A bigger database host wants its cores − 1.
   */
  readonly workers: number;
  /**
   * maintenance_work_mem for builds on one database host, in MB (HNSW_BUILD_MEMORY_MB). A
   * server's build gets all of it (its parallel workers share it); on Citus the shard builds
   * a worker runs at once share it. PGlite always builds with 256 MB.
   */
  readonly memoryMb?: number;
  /** On Citus: shard builds a worker runs at once, fewer when the memory would not go round (planIndexBuildMemory). */
  readonly shardBuildsPerWorker?: number;
  /**
   * A calendar year with at least this many rows gets an HNSW index of its own (default
   * DEFAULT_YEAR_INDEX_MIN_ROWS). A smaller year is compared in full from the date-ordered
   * index of reduced vectors, which costs less than a graph's search.
   */
  readonly yearIndexMinRows?: number;
}

export const DEFAULT_YEAR_INDEX_MIN_ROWS = 20_000;

export const DEFAULT_HNSW_BUILD_MEMORY_MB = 1024;
export const DEFAULT_HNSW_BUILD: HnswBuildOptions = Object.freeze({ workers: 1, memoryMb: DEFAULT_HNSW_BUILD_MEMORY_MB, shardBuildsPerWorker: 1 });
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
  const settings = await citusBuildSettings(database, build, buildSettings(database, build));
  await watched(database, onProgress, progressIntervalMs, () =>
    database.db.transaction().execute(async (trx) => {
      await applySettings(trx, settings, true);
      // Ingests running side by side (`--part`) may finish together: one builds, the
      // others wait here and then find the index there (`if not exists`).
      await sql`select pg_advisory_xact_lock(hashtext(${HNSW_INDEX_NAME}))`.execute(trx);
      await createHnswIndexStatement(dimensions, params).execute(trx);
    }),
  );
  await buildYearIndexes(database, dimensions, params, build, onProgress);
  // VACUUM marks the freshly loaded pages all-visible, so a date range reads the index of
  // reduced vectors alone (an index-only scan) instead of visiting every heap row. It reads
  // the whole heap, so it is a phase of its own in the progress. The word list and the day
  // counts were rewritten by every load batch's statement trigger, leaving dead rows many
  // times their live ones that autovacuum may not reach for a long while: until it does,
  // suggest() and typo correction read through them.
  onProgress?.({ phase: 'vacuuming (visibility map, statistics)', tuplesDone: null, tuplesTotal: null, elapsedSeconds: (performance.now() - started) / 1000 });
  await sql`vacuum (analyze) headlines, headline_terms, headline_days`.execute(database.db);
}

/**
 * Builds the missing year indexes (createYearIndexStatement) of the years holding at least
 * `build.yearIndexMinRows` rows, one after another with the build's budget; returns the
 * years built. After a first load every year is missing; after a later ingest, only a year
 * that has grown past the threshold. Not on Citus: there each shard's own graph serves a range.
 */
export async function buildYearIndexes(
  database: Database,
  dimensions: number,
  params: HnswParams,
  build: HnswBuildOptions = DEFAULT_HNSW_BUILD,
  onProgress?: IndexBuildListener,
): Promise<number[]> {
  if (await headlinesDistributed(database.db)) return [];
  const minRows = build.yearIndexMinRows ?? DEFAULT_YEAR_INDEX_MIN_ROWS;
  if (!Number.isInteger(minRows) || minRows < 1) throw new RangeError(`year index threshold must be a whole number of rows, got ${build.yearIndexMinRows}`);
  const { rows } = await sql<{ year: number }>`
    select y.year
    from (select extract(year from d.published_on)::integer as year, sum(d.headlines) as headlines from headline_days d group by 1) y
    where y.headlines >= ${minRows} and not exists (select 1 from headline_year_indexes() x where x.year = y.year)
    order by y.year`.execute(database.db);
  const years = rows.map((r) => r.year);
  const settings = buildSettings(database, build);
  const started = performance.now();
  for (const [i, year] of years.entries()) {
    onProgress?.({ phase: `building year indexes: ${year} (${i + 1} of ${years.length})`, tuplesDone: null, tuplesTotal: null, elapsedSeconds: (performance.now() - started) / 1000 });
    await database.db.transaction().execute(async (trx) => {
      await applySettings(trx, settings, true);
      await createYearIndexStatement(year, dimensions, params).execute(trx);
    });
  }
  return years;
}

/** Rebuilds the index with the same budget; on a server without blocking reads or writes. */
export async function rebuildHnswIndex(database: Database, build: HnswBuildOptions = DEFAULT_HNSW_BUILD, onProgress?: IndexBuildListener): Promise<void> {
  await watched(database, onProgress, 1000, async () => reindex(database, [...(await citusReindexSettings(database)), ...buildSettings(database, build)]));
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
  const stop = onProgress ? await watchIndexBuild(database, onProgress, intervalMs) : null;
  let finished = false;
  try {
    await work();
    finished = true;
  } finally {
    await stop?.(finished);
  }
}

function buildSettings(database: Database, build: HnswBuildOptions): Array<[string, string]> {
  if (!Number.isInteger(build.workers) || build.workers < 0 || build.workers > MAX_HNSW_BUILD_WORKERS) {
    throw new RangeError(`HNSW build workers must be 0..${MAX_HNSW_BUILD_WORKERS}, got ${build.workers}`);
  }
  const memoryMb = buildMemoryMb(build);
  // WebAssembly memory is limited; a server gets a generous budget and parallel workers.
  if (database.mode === 'embedded') return [['maintenance_work_mem', '256MB']];
  return [
    ['maintenance_work_mem', `${memoryMb}MB`],
    ['max_parallel_maintenance_workers', String(build.workers)],
  ];
}

function buildMemoryMb(build: HnswBuildOptions): number {
  const memoryMb = build.memoryMb ?? DEFAULT_HNSW_BUILD_MEMORY_MB;
  if (!Number.isInteger(memoryMb) || memoryMb < 1) throw new RangeError(`HNSW build memory must be a whole number of MB, got ${build.memoryMb}`);
  return memoryMb;
}

/**
 * On Citus the shards' indexes are built in sessions the coordinator opens on the workers,
 * up to citus.max_adaptive_executor_pool_size of them per worker at once, each with its own
 * maintenance_work_mem: the host's budget is divided among them. SET LOCAL reaches those
 * sessions with propagate_set_commands, which must be set before the settings it carries.
 */
async function citusBuildSettings(database: Database, build: HnswBuildOptions, settings: Array<[string, string]>): Promise<Array<[string, string]>> {
  // PGlite has no Citus: headlines_distributed() answers false there as on a plain server.
  if (!(await headlinesDistributed(database.db))) return settings;
  const wanted = build.shardBuildsPerWorker ?? 1;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_HNSW_BUILD_WORKERS) {
    throw new RangeError(`HNSW shard builds per worker must be 1..${MAX_HNSW_BUILD_WORKERS}, got ${build.shardBuildsPerWorker}`);
  }
  const plan = planIndexBuildMemory(buildMemoryMb(build), wanted, await headlinesShardsPerWorker(database.db));
  return [
    ['citus.propagate_set_commands', 'local'],
    ['citus.max_adaptive_executor_pool_size', String(plan.concurrentBuilds)],
    ...settings.map(([name, value]): [string, string] => [name, name === 'maintenance_work_mem' ? `${plan.perBuildMb}MB` : value]),
  ];
}

/**
 * REINDEX CONCURRENTLY cannot run in a transaction, and Citus carries no session setting to
 * the workers outside one: the shards are rebuilt with the workers' own
 * maintenance_work_mem, one at a time on each worker so that it is held once.
 */
async function citusReindexSettings(database: Database): Promise<Array<[string, string]>> {
  if (!(await headlinesDistributed(database.db))) return [];
  return [['citus.max_adaptive_executor_pool_size', '1']];
}

async function applySettings(db: Kysely<any>, settings: Array<[string, string]>, local: boolean): Promise<void> {
  for (const [name, value] of settings) {
    // A statement, not set_config(): Citus forwards SET LOCAL statements to the workers.
    if (local) await sql.raw(`set local ${name} = '${value.replaceAll("'", "''")}'`).execute(db);
    else await sql`select set_config(${name}, ${value}, false)`.execute(db);
  }
}
