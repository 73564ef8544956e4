import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { buildHnswIndex, rebuildHnswIndex } from '../src/db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS, HNSW_INDEX_NAME } from '../src/db/hnsw-index.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import type { IndexBuildProgress } from '../src/db/watch-index-build.ts';
import { silentLogger } from '../src/logger.ts';
import { citusUnavailable, createCitusCluster, type CitusCluster } from '../scripts/lib/citus-cluster.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { runCliProcess } from './support/run-cli.ts';

/**
 * The HNSW build through a Citus coordinator (2 workers, 4 shards: 2 on each): its progress
 * read on the workers, shard by shard, and the memory each shard build was given, recorded
 * on the workers by a probe (an event trigger on CREATE INDEX) in the build's own session.
 * Needs Citus installed (scripts/citus-cluster.sh check); the cluster is started here and
 * destroyed after, with synthetic rows (no sample file).
 *
 *   node --import tsx --test --test-concurrency=1 test/citus-index-build.test.ts
 */
const ROWS = 8_000;
const DIMENSIONS = 32;
const SHARDS = 4;

function skipReason(): string | false {
  const citus = citusUnavailable();
  return citus ? `Citus is not available: ${citus} (scripts/citus-cluster.sh check says why)` : false;
}

/** Recorded on a worker at the start and the end of each CREATE INDEX, with the session's own settings. */
const PROBE = `
  create table index_build_probe (pid int, event text, query text, mwm text, parallel_workers text, at timestamptz);
  create function index_build_probe_record() returns event_trigger language plpgsql as $$
  begin
    insert into index_build_probe values (pg_backend_pid(), tg_event, current_query(), current_setting('maintenance_work_mem'),
      current_setting('max_parallel_maintenance_workers'), clock_timestamp());
  end $$;
  create event trigger index_build_probe_start on ddl_command_start when tag in ('CREATE INDEX') execute function index_build_probe_record();
  create event trigger index_build_probe_end on ddl_command_end when tag in ('CREATE INDEX') execute function index_build_probe_record();`;

interface ShardBuild {
  shard: string;
  pid: number;
  mwm: string;
  parallelWorkers: string;
  start: number;
  end: number;
}

/** The shard builds one worker ran (not the worker's copy of the coordinator's empty table), from the probe. */
async function shardBuilds(worker: pg.Client): Promise<ShardBuild[]> {
  const { rows } = await worker.query<{ pid: number; event: string; query: string; mwm: string; parallel_workers: string; at: number }>(
    `select pid, event, query, mwm, parallel_workers, extract(epoch from at)::float8 * 1e6 as at from index_build_probe order by index_build_probe.at`,
  );
  const builds = new Map<string, ShardBuild>();
  for (const r of rows) {
    // The shard's own statement, e.g. CREATE INDEX … ON public.headlines_102008 (not the worker's copy of the coordinator's table).
    const shardId = /\bON\s+(?:public\.)?headlines_(\d+)\b/i.exec(r.query)?.[1];
    if (!shardId) continue;
    const shard = `headlines_${shardId}`;
    const key = `${r.pid}:${shard}`;
    if (r.event === 'ddl_command_start') builds.set(key, { shard, pid: r.pid, mwm: r.mwm, parallelWorkers: r.parallel_workers, start: r.at, end: Infinity });
    else builds.get(key)!.end = r.at;
  }
  return [...builds.values()];
}

/** The most builds that ran at once. */
function mostAtOnce(builds: readonly ShardBuild[]): number {
  return Math.max(0, ...builds.map((b) => builds.filter((o) => o.start < b.end && b.start < o.end).length));
}

describe('Citus: the HNSW build through the coordinator', { skip: skipReason() }, () => {
  let cluster: CitusCluster;
  let database: Database;
  const workers: pg.Client[] = [];

  before(async () => {
    cluster = await createCitusCluster(2);
    const migrated = await runCliProcess(['migrate'], { DATABASE_URL: cluster.url, LOG_LEVEL: 'warn', PGOPTIONS: `-c headline_search.shard_count=${SHARDS}` });
    assert.equal(migrated.code, 0, migrated.stderr);
    database = await openDatabase(parseConfig({ DATABASE_URL: cluster.url, LOG_LEVEL: 'silent' }), silentLogger);
    const vectors = randomUnitVectors(1000, DIMENSIONS, 8);
    for (let start = 0; start < ROWS; start += 1000) {
      await database.db
        .insertInto('headlines')
        .values(vectors.map((v, i) => ({
          // Many days, so every shard gets rows.
          published_on: new Date(Date.UTC(2015, 0, 1 + ((start + i) % 365))).toISOString().slice(0, 10),
          text: `row ${start + i}`,
          embedding: toVectorLiteral(Float32Array.from({ length: 512 }, (_, j) => v[j % DIMENSIONS]!)),
          embedding_reduced: toVectorLiteral(v.map((x) => x + (start + i) * 1e-6)),
        })))
        .execute();
    }
    for (const url of cluster.workerUrls) {
      const worker = new pg.Client({ connectionString: url });
      await worker.connect();
      // Local to the worker: the coordinator knows nothing of the probe.
      await worker.query('set citus.enable_ddl_propagation = off');
      await worker.query(PROBE);
      workers.push(worker);
    }
  });

  after(async () => {
    for (const worker of workers) await worker.end();
    await database?.close();
    await cluster?.destroy();
  });

  async function buildsOnEachWorker(): Promise<ShardBuild[][]> {
    return Promise.all(workers.map((w) => shardBuilds(w)));
  }

  async function dropIndexAndProbe(): Promise<void> {
    await sql.raw(`drop index if exists ${HNSW_INDEX_NAME}`).execute(database.db);
    for (const worker of workers) await worker.query('truncate index_build_probe');
  }

  test('the build reports per-shard progress up to every shard, and each worker builds one shard at a time with the whole budget', async () => {
    await dropIndexAndProbe();
    const reports: IndexBuildProgress[] = [];
    await buildHnswIndex(database, DIMENSIONS, DEFAULT_HNSW_PARAMS, { workers: 0, memoryMb: 200 }, (p) => reports.push(p), 50);

    const sharded = reports.filter((r) => r.shards);
    assert.ok(sharded.length > 0, `reports with shard counts: ${JSON.stringify(reports)}`);
    for (const r of sharded) {
      assert.equal(r.shards!.total, SHARDS);
      assert.ok(r.shards!.done >= 0 && r.shards!.done <= SHARDS);
      assert.ok(r.tuplesDone! >= 0 && r.tuplesDone! <= r.tuplesTotal!);
      // The shards' row estimates, summed (ANALYZE before the build reaches every shard).
      assert.ok(Math.abs(r.tuplesTotal! - ROWS) <= ROWS * 0.05, `tuples total ${r.tuplesTotal}`);
    }
    // After the build's commit, the last report counts every shard and every row.
    const last = sharded.at(-1)!;
    assert.deepEqual(last.shards, { done: SHARDS, total: SHARDS });
    assert.equal(last.tuplesDone, last.tuplesTotal);
    assert.match(reports.at(-1)!.phase, /^vacuuming/);

    const perWorker = await buildsOnEachWorker();
    assert.deepEqual(perWorker.flat().map((b) => b.shard).sort(), [...new Set(perWorker.flat().map((b) => b.shard))].sort(), 'each shard built once');
    assert.equal(perWorker.flat().length, SHARDS);
    for (const builds of perWorker) {
      assert.equal(builds.length, SHARDS / 2);
      // The SET LOCAL reached the shard builds' sessions on the worker.
      assert.deepEqual(builds.map((b) => [b.mwm, b.parallelWorkers]), builds.map(() => ['200MB', '0']));
      assert.equal(mostAtOnce(builds), 1, `one build at a time: ${JSON.stringify(builds)}`);
    }
  });

  test('with two shard builds at once on a worker, each gets half the budget', async (t) => {
    await dropIndexAndProbe();
    await buildHnswIndex(database, DIMENSIONS, DEFAULT_HNSW_PARAMS, { workers: 1, memoryMb: 256, shardBuildsPerWorker: 2 });
    for (const builds of await buildsOnEachWorker()) {
      assert.equal(builds.length, SHARDS / 2);
      assert.deepEqual(builds.map((b) => [b.mwm, b.parallelWorkers]), builds.map(() => ['128MB', '1']));
      // Two builds at once fit in the budget; the executor may also start them apart.
      assert.ok(mostAtOnce(builds) * 128 <= 256, `at most two at once: ${JSON.stringify(builds)}`);
      t.diagnostic(`a worker ran ${mostAtOnce(builds)} shard builds at once`);
    }
  });

  test('a rebuild (REINDEX CONCURRENTLY) reports per-shard progress up to every shard', async () => {
    const before = (await sql<{ oid: number }>`select to_regclass(${HNSW_INDEX_NAME})::oid::int as oid`.execute(database.db)).rows[0]!.oid;
    assert.ok(before, 'an index to rebuild');
    const reports: IndexBuildProgress[] = [];
    await rebuildHnswIndex(database, { workers: 0 }, (p) => reports.push(p));
    const last = reports.filter((r) => r.shards).at(-1);
    assert.deepEqual(last?.shards, { done: SHARDS, total: SHARDS }, JSON.stringify(reports));
    const { rows } = await sql<{ result: string }>`
      select result from run_command_on_shards('headlines', $$select count(*) from pg_indexes where tablename = '%s' and indexdef like '%%USING hnsw%%'$$)`.execute(database.db);
    assert.deepEqual(rows.map((r) => r.result), Array(SHARDS).fill('1'));
  });
});
