import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { grantAnalyst } from '../src/db/grant-analyst.ts';
import { connectPool } from '../src/db/open-database.ts';
import type { DB } from '../src/db/schema.ts';
import { searchByMode } from '../src/db/search-by-mode.ts';
import { corpusStats } from '../src/db/corpus-stats.ts';
import { similarHeadlines } from '../src/db/similar-headlines.ts';
import { semanticTimeline, similarTimeline } from '../src/db/timeline-repository.ts';
import { nearDuplicatePairs } from '../src/db/near-duplicate-pairs.ts';
import { silentLogger } from '../src/logger.ts';
import type { SearchMode } from '../src/shared/search-mode.ts';
import { citusUnavailable, createCitusCluster, type CitusCluster } from '../scripts/lib/citus-cluster.ts';
import { runCliProcess, spawnCli } from './support/run-cli.ts';
import { startServeProcess } from './support/serve-process.ts';
import { makeServerDatabase, NO_SERVER, TEST_DATABASE_URL } from './support/test-databases.ts';
import { referenceFile } from './support/reference-data.ts';

/**
 * A coordinator and two workers (scripts/citus-cluster.sh) against one plain server, both
 * loaded by `headlines ingest` from the same rows of a real corpus (HEADLINES_SAMPLE_CSV),
 * compared through the code the API and analysts use. Rows are compared by (date, text),
 * and after a last plain ingest by id too.
 *
 *   HEADLINES_SAMPLE_CSV=../shared/data/abcnews-sample.csv \
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/headline_search_test \
 *   node --import tsx --test --test-concurrency=1 test/citus.test.ts
 *
 * The cluster is started here (scripts/citus-cluster.sh, free ports) and destroyed after.
 */
const ROWS = 24_000;
const SAMPLE_FILE = referenceFile('HEADLINES_SAMPLE_CSV');
const SAMPLE = SAMPLE_FILE.path;

function skipReason(): string | false {
  if (!SAMPLE) return SAMPLE_FILE.skip;
  if (!TEST_DATABASE_URL) return NO_SERVER;
  const citus = citusUnavailable();
  return citus ? `Citus is not available: ${citus}` : false;
}

/** Exact everywhere: both sides must then give the very same rows, in the same order. */
const EXACT = { 'headline_search.exact_scan_rows': '1000000000' };

interface Side {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly db: Kysely<DB>;
  readonly exactPool: pg.Pool;
  readonly exact: Kysely<DB>;
  /** id → "date|text", and back. */
  keyOf: Map<string, string>;
  idOf: Map<string, string>;
}

const config = parseConfig({ LOG_LEVEL: 'silent' });

function openSide(url: string): Side {
  const plain = connectPool(url, config, silentLogger, { poolSize: 4 });
  const exact = connectPool(url, config, silentLogger, { poolSize: 2, sessionSettings: EXACT });
  return { url, pool: plain.pool, db: plain.db, exactPool: exact.pool, exact: exact.db, keyOf: new Map(), idOf: new Map() };
}

async function loadKeys(side: Side): Promise<string[]> {
  const { rows } = await side.pool.query<{ id: string; key: string }>(`select id::text, published_on::text || '|' || text as key from headlines`);
  side.keyOf = new Map(rows.map((r) => [r.id, r.key]));
  side.idOf = new Map(rows.map((r) => [r.key, r.id]));
  return rows.map((r) => r.key).sort();
}

async function dayCounts(side: Side): Promise<string[]> {
  const { rows } = await side.pool.query<{ d: string }>(`select published_on::text || '=' || headlines as d from headline_days order by published_on`);
  return rows.map((r) => r.d);
}

const keys = (side: Side, ids: readonly string[]) => ids.map((id) => side.keyOf.get(id) ?? `missing id ${id}`);

function recall(found: readonly string[], truth: readonly string[]): number {
  const want = new Set(truth);
  return truth.length === 0 ? 1 : found.filter((k) => want.has(k)).length / truth.length;
}

async function embeddingOf(side: Side, key: string): Promise<Float32Array> {
  const { rows } = await side.pool.query<{ v: string }>(`select embedding::text as v from headlines where id = $1`, [side.idOf.get(key)]);
  return Float32Array.from(JSON.parse(rows[0]!.v) as number[]);
}

async function waitUntil(what: string, check: () => Promise<boolean>, limitMs = 120_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Citus: a coordinator and 2 workers answer as one server does', { skip: skipReason() }, () => {
  let tmp: string;
  let corpus: string;
  let cluster: CitusCluster;
  let single: Side;
  let citus: Side;
  let dropSingle: () => Promise<void>;
  let allKeys: string[];
  const env = (url: string) => ({ DATABASE_URL: url, EMBED_MODEL: 'hash', DATA_DIR: tmp, LOG_LEVEL: 'warn' });

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headline-citus-'));
    corpus = path.join(tmp, 'corpus.csv');
    // Every n-th row: the sample's whole span of dates, not its first months.
    const lines = fs.readFileSync(SAMPLE!, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const step = Math.max(1, Math.floor((lines.length - 1) / ROWS));
    fs.writeFileSync(corpus, [lines[0], ...lines.slice(1).filter((_, i) => i % step === 0)].join('\n') + '\n');
    cluster = await createCitusCluster(2);
    const made = await makeServerDatabase();
    dropSingle = made.cleanup;
    const loaded = await runCliProcess(['ingest', corpus, '--quiet'], env(made.url));
    assert.equal(loaded.code, 0, loaded.stderr);
    single = openSide(made.url);
    citus = openSide(cluster.url);
    allKeys = await loadKeys(single);
    assert.ok(allKeys.length >= 20_000, `the corpus gave ${allKeys.length} rows`);
  });

  after(async () => {
    for (const side of [single, citus]) {
      await side?.db.destroy();
      await side?.exact.destroy();
    }
    await cluster?.destroy();
    await dropSingle?.();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('migrate distributes headlines on published_on, one shard per worker, with reference tables', async () => {
    const migrated = await runCliProcess(['migrate'], env(cluster.url));
    assert.equal(migrated.code, 0, migrated.stderr);
    const { rows } = await citus.pool.query<{ t: string; method: string; key: string | null; shards: number }>(
      `select logicalrelid::text as t, partmethod as method, column_to_column_name(logicalrelid, partkey) as key,
              (select count(*)::int from pg_dist_shard s where s.logicalrelid = p.logicalrelid) as shards
       from pg_dist_partition p order by 1`,
    );
    assert.deepEqual(
      rows.map((r) => `${r.t}:${r.method}:${r.key ?? ''}:${r.shards}`),
      ['headline_days:n::1', 'headline_terms:n::1', 'headlines:h:published_on:2', 'projection:n::1', 'projection_basis:n::1'],
    );
  });

  test('kill -9 during ingest, then a re-run, leaves exactly the source rows', async () => {
    const child = spawnCli(['ingest', corpus, '--quiet', '--batch-size', '500'], env(cluster.url));
    child.stdin!.end();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const count = async () => Number((await citus.pool.query<{ n: string }>('select count(*) as n from headlines')).rows[0]!.n);
    await waitUntil(`some rows loaded (${stderr.slice(-500)})`, async () => child.exitCode !== null || (await count()) >= 12_000);
    child.kill('SIGKILL');
    await exited;
    const partial = await count();
    assert.ok(partial > 0 && partial < allKeys.length, `killed with ${partial} of ${allKeys.length} rows loaded`);

    const rerun = await runCliProcess(['ingest', corpus, '--quiet'], env(cluster.url));
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await loadKeys(citus), allKeys);
    assert.deepEqual(await dayCounts(citus), await dayCounts(single));
  });

  test('two ingest processes splitting one file load every row once, and index every shard', async () => {
    await citus.pool.query('truncate headlines');
    await citus.pool.query('select refresh_headline_days(), refresh_headline_terms()');
    await citus.pool.query('drop index headlines_embedding_reduced_hnsw');
    const parts = await Promise.all(['1/2', '2/2'].map((part) => runCliProcess(['ingest', corpus, '--part', part], env(cluster.url))));
    for (const p of parts) assert.equal(p.code, 0, p.stderr);
    const loaded = parts.map((p) => Number(/loaded (\d+)/.exec(p.stdout)?.[1]));
    assert.ok(loaded.every((n) => n > 0), `each part loaded rows: ${loaded.join(', ')}`);
    assert.equal(loaded[0]! + loaded[1]!, allKeys.length);
    assert.deepEqual(await loadKeys(citus), allKeys);
    assert.deepEqual(await dayCounts(citus), await dayCounts(single));
    const { rows } = await citus.pool.query<{ result: string }>(
      `select result from run_command_on_shards('headlines', $$select count(*) from pg_indexes where tablename = '%s' and indexdef like '%%USING hnsw%%'$$)`,
    );
    assert.deepEqual(rows.map((r) => r.result), ['1', '1']);
  });

  test('one ingest into an emptied cluster numbers the rows as one server does', async () => {
    // Ties in similarity are broken by id: the same ids on both sides make every ranking
    // below comparable row for row, ties included.
    await citus.pool.query('truncate headlines restart identity');
    await citus.pool.query('select refresh_headline_days(), refresh_headline_terms()');
    await citus.pool.query('drop index headlines_embedding_reduced_hnsw');
    const loaded = await runCliProcess(['ingest', corpus, '--quiet'], env(cluster.url));
    assert.equal(loaded.code, 0, loaded.stderr);
    await loadKeys(citus);
    assert.deepEqual([...citus.keyOf].sort(), [...single.keyOf].sort());
  });

  // Spread over the corpus: stored headlines as queries, the same vectors on both sides.
  const queryKeys = () => [0.05, 0.3, 0.55, 0.8].map((f) => allKeys[Math.floor(f * allKeys.length)]!);
  const TEXTS = ['police investigate death', 'drought relief for farmers', 'council rates rise', 'world cup'];

  async function ranking(side: Side, db: Kysely<DB>, mode: SearchMode, text: string, vector: Float32Array, k: number, from: string | null = null, to: string | null = null) {
    const rows = await searchByMode(db, mode, text, vector, k, { from, to });
    return { keys: keys(side, rows.map((r) => r.id)), rows };
  }

  test('the first 1,000 of every mode: identical when exact, ANN recall as one server', async (t) => {
    for (const [i, key] of queryKeys().entries()) {
      const vector = await embeddingOf(single, key);
      for (const mode of ['SEMANTIC', 'HYBRID', 'KEYWORD'] as const) {
        const a = await ranking(single, single.exact, mode, TEXTS[i]!, vector, 1000);
        const b = await ranking(citus, citus.exact, mode, TEXTS[i]!, vector, 1000);
        assert.deepEqual(b.keys, a.keys, `${mode} ${key}`);
        assert.deepEqual(b.rows.map((r) => [r.similarity, r.rank, r.score]), a.rows.map((r) => [r.similarity, r.rank, r.score]), `${mode} ${key} scores`);
        if (mode !== 'KEYWORD') assert.equal(a.keys.length, 1000);

        // The default settings take the HNSW path: one graph against one per shard.
        const annSingle = await ranking(single, single.db, mode, TEXTS[i]!, vector, 1000);
        const annCitus = await ranking(citus, citus.db, mode, TEXTS[i]!, vector, 1000);
        const rs = recall(annSingle.keys, a.keys);
        const rc = recall(annCitus.keys, a.keys);
        t.diagnostic(`${mode} ${key}: recall@1000 against exact ${rc.toFixed(4)} on Citus, ${rs.toFixed(4)} on one server`);
        assert.ok(rc >= rs - 0.01, `${mode} ${key}: recall@1000 ${rc} on Citus, ${rs} on one server`);
        const top10 = recall(annCitus.keys.slice(0, 10), a.keys.slice(0, 10));
        assert.ok(top10 >= recall(annSingle.keys.slice(0, 10), a.keys.slice(0, 10)) - 0.1, `${mode} ${key}: recall@10 ${top10}`);
      }
    }
  });

  test('pages: a shorter ranking is a prefix of a longer one', async () => {
    const vector = await embeddingOf(single, queryKeys()[1]!);
    for (const mode of ['SEMANTIC', 'HYBRID'] as const) {
      const full = (await ranking(citus, citus.db, mode, TEXTS[1]!, vector, 1000)).keys;
      for (const k of [10, 200, 201, 700]) assert.deepEqual((await ranking(citus, citus.db, mode, TEXTS[1]!, vector, k)).keys, full.slice(0, k), `${mode} k=${k}`);
    }
  });

  test('date ranges from a day to the whole span: no short pages, the same rows as one server', async (t) => {
    const { rows } = await single.pool.query<{ lo: string; hi: string }>(`select min(published_on)::text as lo, max(published_on)::text as hi from headlines`);
    const { lo, hi } = rows[0]!;
    const plus = (d: string, days: number) => new Date(Date.parse(d) + days * 86_400_000).toISOString().slice(0, 10);
    const middle = allKeys[Math.floor(allKeys.length / 2)]!.slice(0, 10);
    const ranges: Array<[string, string]> = [[middle, middle], [middle, plus(middle, 6)], [middle, plus(middle, 30)], [middle, plus(middle, 91)], [middle, plus(middle, 365)], [lo, middle], [lo, hi]];
    const vector = await embeddingOf(single, queryKeys()[2]!);
    for (const [from, to] of ranges) {
      const inRange = allKeys.filter((k) => k.slice(0, 10) >= from && k.slice(0, 10) <= to).length;
      for (const mode of ['SEMANTIC', 'HYBRID'] as const) {
        const exactSingle = await ranking(single, single.exact, mode, TEXTS[2]!, vector, 1000, from, to);
        const exactCitus = await ranking(citus, citus.exact, mode, TEXTS[2]!, vector, 1000, from, to);
        assert.deepEqual(exactCitus.keys, exactSingle.keys, `${mode} ${from}..${to}`);
        const ann = await ranking(citus, citus.db, mode, TEXTS[2]!, vector, 1000, from, to);
        assert.equal(ann.keys.length, Math.min(1000, inRange), `${mode} ${from}..${to}: a full page`);
        assert.ok(ann.keys.every((k) => k.slice(0, 10) >= from && k.slice(0, 10) <= to));
        const annSingle = await ranking(single, single.db, mode, TEXTS[2]!, vector, 1000, from, to);
        t.diagnostic(`${mode} ${from}..${to} (${inRange} rows): recall ${recall(ann.keys, exactSingle.keys).toFixed(4)} on Citus, ${recall(annSingle.keys, exactSingle.keys).toFixed(4)} on one server`);
        assert.ok(recall(ann.keys, exactSingle.keys) >= recall(annSingle.keys, exactSingle.keys) - 0.01, `${mode} ${from}..${to}: recall`);
      }
    }
  });

  test('timeline, similarTimeline, similar, collapse pairs and stats equal one server', async () => {
    const key = queryKeys()[3]!;
    const vector = await embeddingOf(single, key);
    for (const bucket of ['YEAR', 'MONTH', 'DAY'] as const) {
      const map = (side: Side, t: Awaited<ReturnType<typeof semanticTimeline>>) =>
        t.map((p) => [p.period, p.count, p.share, p.topHeadline ? side.keyOf.get(p.topHeadline.id) : null]);
      const a = await semanticTimeline(single.exact, vector, bucket, 1000, { from: null, to: null });
      const b = await semanticTimeline(citus.exact, vector, bucket, 1000, { from: null, to: null });
      assert.ok(a.length > 1);
      assert.deepEqual(map(citus, b), map(single, a), `timeline ${bucket}`);
      const sa = await similarTimeline(single.exact, single.idOf.get(key)!, bucket, 500, { from: null, to: null });
      const sb = await similarTimeline(citus.exact, citus.idOf.get(key)!, bucket, 500, { from: null, to: null });
      assert.deepEqual(map(citus, sb), map(single, sa), `similarTimeline ${bucket}`);
    }
    // Shares are over every headline of a period: the day counts must be the corpus's.
    const defaultTimeline = await semanticTimeline(citus.db, vector, 'YEAR', 100, { from: null, to: null });
    assert.ok(defaultTimeline.some((p) => p.count > 0 && p.share > 0));

    const sa = await similarHeadlines(single.exact, single.idOf.get(key)!, 300, { from: null, to: null });
    const sb = await similarHeadlines(citus.exact, citus.idOf.get(key)!, 300, { from: null, to: null });
    assert.deepEqual(keys(citus, sb.map((r) => r.id)), keys(single, sa.map((r) => r.id)));
    const pa = await nearDuplicatePairs(single.db, sa.map((r) => r.id), 0.5);
    const pb = await nearDuplicatePairs(citus.db, sb.map((r) => r.id), 0.5);
    assert.ok(pa.length > 0);
    assert.deepEqual(pb, pa);

    const stats = async (side: Side) => {
      const s = await corpusStats(side.db);
      return [s.headlines, s.earliest, s.latest, s.model, s.projection];
    };
    assert.deepEqual(await stats(citus), await stats(single));

    // The corpus's word list (typo tolerance, suggest): kept by ingest on Citus, by triggers on one server.
    const terms = async (side: Side) => (await sql<{ term: string; headlines: number }>`select term, headlines from headline_terms order by term collate "C"`.execute(side.db)).rows;
    const [termsA, termsB] = [await terms(single), await terms(citus)];
    assert.ok(termsA.length > 1000);
    assert.deepEqual(termsB, termsA, 'the same word list');
  });

  test('SQL for analysts: search_by_query text-in and the analyst role', async () => {
    const key = queryKeys()[0]!;
    const run = async (side: Side) => {
      const client = new pg.Client({ connectionString: side.url });
      await client.connect();
      try {
        await client.query(`set headline_search.exact_scan_rows = 1000000000`);
        const { rows } = await client.query<{ id: string }>(
          `insert into search_queries (text, embedding, embedded_at) select 'flood warning', embedding, now() from headlines where id = $1 returning id`,
          [side.idOf.get(key)],
        );
        const found = await client.query<{ id: string }>(`select id::text from search_by_query($1, 300, null, null, 'hybrid') order by rank`, [rows[0]!.id]);
        return keys(side, found.rows.map((r) => r.id));
      } finally {
        await client.end();
      }
    };
    assert.deepEqual(await run(citus), await run(single));

    await grantAnalyst(citus.db, 'citus_test_analyst');
    const analystUrl = new URL(cluster.url);
    analystUrl.username = 'citus_test_analyst';
    const analyst = new pg.Client({ connectionString: analystUrl.toString() });
    await analyst.connect();
    try {
      const { rows } = await analyst.query(`select count(*)::int as n from similar_headlines($1, 20)`, [citus.idOf.get(key)]);
      assert.equal(rows[0].n, 20);
      await assert.rejects(analyst.query(`delete from headlines`), /permission denied/);
    } finally {
      await analyst.end();
    }
  });

  test('distributed plans: each shard walks its own HNSW index; the 512-d re-rank stays on the workers', async () => {
    const vector = await embeddingOf(single, queryKeys()[0]!);
    const literal = `[${Array.from(vector).join(',')}]`;
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const reduced = (await client.query<{ r: string }>(`select project_embedding($1::halfvec(512))::text as r`, [literal])).rows[0]!.r;
      const plan = async (statement: string) => (await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off, timing off) ${statement}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const ann = await plan(`select h.id from headlines h order by h.embedding_reduced::halfvec(64) <=> '${reduced}'::halfvec(64) limit 200`);
      assert.match(ann, /Task Count: 2/);
      assert.match(ann, /Index Scan using headlines_embedding_reduced_hnsw_\d+/);
      const rerank = await plan(
        `select h.id, (h.embedding <=> '${literal}'::halfvec(512)) as d from headlines h where h.id = any(array(select generate_series(1, 200)::bigint)) order by 2, 1 limit 10`,
      );
      // 200 rows of (id, distance) come back, not 200 vectors of 1 kB.
      const [, amount, unit] = /Tuple data received from nodes: (\d+) (bytes|kB|MB)/.exec(rerank) ?? [];
      const bytes = Number(amount) * (unit === 'MB' ? 1 << 20 : unit === 'kB' ? 1024 : 1);
      assert.ok(bytes < 200 * 100, `re-rank received ${amount} ${unit} from the workers`);
      assert.match(rerank, /Index Scan using headlines_id_idx_\d+/);
    } finally {
      await client.end();
    }
  });

  test('a stopped worker: searches answer SERVICE_UNAVAILABLE, never a partial page, and recover by themselves', async () => {
    const server = await startServeProcess({ DATABASE_URL: cluster.url, EMBED_MODEL: 'hash', DATA_DIR: tmp });
    const search = async () => {
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ search(query: "flood warning", first: 5) { edges { node { id } } } }' }),
      });
      return (await res.json()) as { data?: { search?: { edges: unknown[] } | null } | null; errors?: Array<{ extensions?: { code?: string } }> };
    };
    try {
      assert.equal((await search()).data?.search?.edges.length, 5);
      await cluster.stop('worker-2');
      const failed = await search();
      assert.equal(failed.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
      assert.ok(!failed.data?.search, 'no partial result');
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(((await ready.json()) as { checks: { database: string } }).checks.database, /Citus worker 127\.0\.0\.1:\d+ does not answer/);
      await cluster.start('worker-2');
      await waitUntil('search answers again', async () => (await search()).data?.search?.edges.length === 5);
      await waitUntil('/readyz is 200 again', async () => (await fetch(`${server.url}/readyz`)).status === 200);
    } finally {
      await cluster.start('worker-2');
      await server.stop();
    }
  });
});
