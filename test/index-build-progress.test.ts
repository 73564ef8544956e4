import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { buildHnswIndex } from '../src/db/build-hnsw-index.ts';
import { DEFAULT_HNSW_PARAMS } from '../src/db/hnsw-index.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { planIndexBuildMemory } from '../src/db/plan-index-build-memory.ts';
import type { IndexBuildProgress } from '../src/db/watch-index-build.ts';
import { describeIndexProgress } from '../src/ingest/describe-index-progress.ts';
import type { IngestProgress } from '../src/ingest/ingest.ts';
import { createProgressReporter } from '../src/ingest/progress-reporter.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { describeEachDatabase } from './support/test-databases.ts';

// On the server, enough rows that the build outlasts a few progress polls. PGlite builds on
// this thread, so no timer fires during its build: only the start is reported there.
const rowsFor = (mode: string) => (mode === 'server' ? 8_000 : 1_000);

describeEachDatabase('HNSW build progress', (get) => {
  before(async () => {
    const { db, mode } = get().database;
    const vectors = randomUnitVectors(1000, 32, 8);
    for (let start = 0; start < rowsFor(mode); start += 1000) {
      await db
        .insertInto('headlines')
        .values(vectors.map((v, i) => ({ published_on: '2015-06-01', text: `row ${start + i}`, embedding: toVectorLiteral(Float32Array.from({ length: 512 }, (_, j) => v[j % 32]!)), embedding_reduced: toVectorLiteral(v.map((x) => x + (start + i) * 1e-6)) })))
        .execute();
    }
  });

  test('the build reports its start at once, then phases and tuples (server) or elapsed time (embedded)', async () => {
    const database = get().database;
    const reports: IndexBuildProgress[] = [];
    await buildHnswIndex(database, 32, DEFAULT_HNSW_PARAMS, { workers: 0 }, (p) => reports.push(p), 50);
    assert.deepEqual(reports[0], { phase: 'building index', tuplesDone: null, tuplesTotal: null, elapsedSeconds: reports[0]!.elapsedSeconds });
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.elapsedSeconds >= reports[i - 1]!.elapsedSeconds);
    if (database.mode === 'server') {
      const rows = rowsFor('server');
      assert.ok(reports.length >= 2, `a build of ${rows} rows outlasts one 50 ms poll (got ${reports.length} reports)`);
      const counted = reports.filter((r) => r.tuplesTotal !== null);
      assert.ok(counted.length > 0, `some report counts tuples: ${JSON.stringify(reports)}`);
      for (const r of counted) {
        assert.match(r.phase, /building index/);
        assert.ok(r.tuplesDone! >= 0 && r.tuplesDone! <= r.tuplesTotal!);
        // pgvector leaves tuples_total at 0; the build's ANALYZE gives the estimate instead.
        assert.ok(Math.abs(r.tuplesTotal! - rows) <= rows * 0.05, `tuples_total ${r.tuplesTotal}`);
      }
    } else {
      assert.ok(reports.slice(0, -1).every((r) => r.phase === 'building index' && r.tuplesDone === null));
    }
    // The vacuum after the build reads the whole heap: it is announced as the last phase.
    assert.match(reports.at(-1)!.phase, /^vacuuming/);
    assert.equal(reports.at(-1)!.tuplesDone, null);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_indexes where tablename = 'headlines' and indexname like '%hnsw'`.execute(database.db);
    assert.equal(rows[0]!.n, 1);
  });
});

test('describeIndexProgress: phase, tuples, elapsed time and an ETA from the rate so far', () => {
  const p = { phase: 'building index: loading tuples', tuplesDone: 250, tuplesTotal: 1000, elapsedSeconds: 10 };
  assert.equal(describeIndexProgress(p), 'building index: loading tuples | 250 of 1000 tuples (25.0%) | 10 s | ETA 30 s');
  assert.equal(describeIndexProgress({ phase: 'building index', tuplesDone: null, tuplesTotal: null, elapsedSeconds: 4.4 }), 'building index | 4 s');
  // No tuple done yet: no rate, so no ETA.
  assert.equal(describeIndexProgress({ ...p, tuplesDone: 0 }), 'building index: loading tuples | 0 of 1000 tuples (0.0%) | 10 s');
  // On Citus: the shards built so far, the tuples summed over the shards.
  assert.equal(describeIndexProgress({ ...p, shards: { done: 1, total: 4 } }), 'building index: loading tuples | shards 1 of 4 built | 250 of 1000 tuples (25.0%) | 10 s | ETA 30 s');
});

test('planIndexBuildMemory: the shard builds a worker runs at once share the budget, each with at least 64 MB', () => {
  assert.deepEqual(planIndexBuildMemory(1024, 1, 4), { concurrentBuilds: 1, perBuildMb: 1024 });
  assert.deepEqual(planIndexBuildMemory(1024, 4, 4), { concurrentBuilds: 4, perBuildMb: 256 });
  // No more at once than the worker has shards, nor than leave each 64 MB.
  assert.deepEqual(planIndexBuildMemory(1024, 8, 2), { concurrentBuilds: 2, perBuildMb: 512 });
  assert.deepEqual(planIndexBuildMemory(200, 8, 8), { concurrentBuilds: 3, perBuildMb: 66 });
  assert.deepEqual(planIndexBuildMemory(64, 8, 8), { concurrentBuilds: 1, perBuildMb: 64 });
  for (const [budget, wanted, shards] of [[100, 3, 5], [4096, 64, 16], [65, 2, 2]] as const) {
    const plan = planIndexBuildMemory(budget, wanted, shards);
    assert.ok(plan.perBuildMb * plan.concurrentBuilds <= budget);
  }
});

test('log progress: the load\'s last counts, then index lines at each new phase and otherwise no more often than the interval', async () => {
  const lines: string[] = [];
  const reporter = createProgressReporter('log', (l) => lines.push(l), 60_000);
  const load: IngestProgress = { read: 10, loaded: 9, duplicates: 1, rejected: 0, bytesRead: 100, totalBytes: 100 };
  reporter.update(load);
  reporter.update({ ...load, read: 20, loaded: 19 });
  reporter.index({ phase: 'building index', tuplesDone: null, tuplesTotal: null, elapsedSeconds: 0 });
  reporter.index({ phase: 'building index: loading tuples', tuplesDone: 5, tuplesTotal: 19, elapsedSeconds: 1 });
  reporter.index({ phase: 'building index: loading tuples', tuplesDone: 9, tuplesTotal: 19, elapsedSeconds: 2 });
  reporter.index({ phase: 'vacuuming (visibility map, statistics)', tuplesDone: null, tuplesTotal: null, elapsedSeconds: 3 });
  reporter.stop();
  // (Whether the very first update logs depends on the process's age; the rest does not.)
  assert.deepEqual(lines.slice(-4).map((l) => l.replace(/\| \d+ rows\/s /, '')), [
    'ingest: read 20 | loaded 19 | duplicates 1 | rejected 0 | 100.0%',
    'index: building index | 0 s',
    'index: building index: loading tuples | 5 of 19 tuples (26.3%) | 1 s | ETA 3 s',
    'index: vacuuming (visibility map, statistics) | 3 s',
  ]);
  assert.ok(lines.length <= 5);
});
