/**
 * One server against a Citus coordinator with workers, on the same rows, in one run:
 *
 *   node --import tsx bench/citus.ts --corpus FILE [--rows N] [--workers 2] [--queries 50]
 *
 * [--shards N] [--single URL]. FILE (or HEADLINES_SAMPLE_CSV) is any CSV `headlines ingest` reads; --rows keeps every
 * n-th row to about N. The single server is a fresh database next to BENCH_DATABASE_URL's
 * (or TEST_DATABASE_URL's); the cluster is made by scripts/citus-cluster.sh on free ports
 * and destroyed at the end. `--single URL` takes an already loaded database of the same corpus
 * as the single server instead (its ingest is not timed again), and `--cluster URL` an already
 * loaded coordinator (neither created, ingested nor destroyed here). EMBED_MODEL as for `headlines` (hash: no model needed).
 * Reports, for each side: ingest and index seconds; p50 of semantic_search (k = 10)
 * unfiltered and over a month and a year; recall@10 against the exact ranking; throughput
 * of 16 concurrent clients; and, on the cluster, each shard's time and buffers for the ANN
 * statement of one query (EXPLAIN ANALYZE, every task).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createCitusCluster } from '../scripts/lib/citus-cluster.ts';
import { freshServerDatabase } from './support/bench-databases.ts';
import { median } from './support/stats.ts';
import { printSummary } from './support/bench-options.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: process.env.HEADLINES_SAMPLE_CSV },
    rows: { type: 'string' },
    workers: { type: 'string', default: '2' },
    queries: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    // The shard count migration 0011 uses (headline_search.shard_count); one per worker by default.
    shards: { type: 'string' },
    single: { type: 'string' },
    cluster: { type: 'string' },
  },
});
if (!values.corpus || !fs.existsSync(values.corpus)) {
  console.error('bench/citus.ts: --corpus FILE (or HEADLINES_SAMPLE_CSV) must name a CSV of headlines');
  process.exit(2);
}
const QUERIES = Number(values.queries);
const CONCURRENCY = Number(values.concurrency);
const ROOT = new URL('..', import.meta.url).pathname;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-citus-'));

function corpusFile(): string {
  if (!values.rows) return values.corpus!;
  const lines = fs.readFileSync(values.corpus!, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const step = Math.max(1, Math.ceil((lines.length - 1) / Number(values.rows)));
  const file = path.join(tmp, 'corpus.csv');
  fs.writeFileSync(file, [lines[0], ...lines.slice(1).filter((_, i) => i % step === 0)].join('\n') + '\n');
  return file;
}

function ingest(url: string, file: string, shards?: string): { total: number; index: number } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ingest', file, '--quiet'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: tmp, LOG_LEVEL: 'warn', ...(shards ? { PGOPTIONS: `-c headline_search.shard_count=${shards}` } : {}) },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`ingest into ${url} failed:\n${run.stderr}`);
  const total = Number(/total ([\d.]+) s/.exec(run.stdout)?.[1]);
  const index = Number(/index ([\d.]+) s/.exec(run.stdout)?.[1] ?? 0);
  return { total, index };
}

interface Query {
  readonly vector: string;
  readonly key: string;
}

type Range = [string | null, string | null];

async function topKeys(client: pg.Client, q: Query, range: Range): Promise<string[]> {
  const { rows } = await client.query<{ key: string }>(
    `select s.published_on::text || '|' || s.text as key from semantic_search($1::halfvec(512), 10, $2::date, $3::date) s order by s.rank`,
    [q.vector, range[0], range[1]],
  );
  return rows.map((r) => r.key);
}

type RangeFigures = Record<string, { p50Ms: number; recallAt10: number }>;

/**
 * Both sides query by query in turn, range by range, so that the load of a shared machine
 * falls on both alike and their ratio holds even when absolute times move.
 */
async function measure(urls: readonly string[], queries: readonly Query[], ranges: Record<string, Range>, truth: Map<string, string[][]>): Promise<RangeFigures[]> {
  const clients = urls.map((url) => new pg.Client({ connectionString: url }));
  for (const client of clients) await client.connect();
  const results: RangeFigures[] = urls.map(() => ({}));
  try {
    for (const [name, range] of Object.entries(ranges)) {
      for (const client of clients) for (const q of queries.slice(0, 3)) await topKeys(client, q, range); // warm caches and connections
      const times = clients.map(() => [] as number[]);
      const found = clients.map(() => 0);
      let wanted = 0;
      for (const [i, q] of queries.entries()) {
        const exact = new Set(truth.get(name)![i]!);
        wanted += exact.size;
        for (const [j, client] of clients.entries()) {
          const started = performance.now();
          const keys = await topKeys(client, q, range);
          times[j]!.push(performance.now() - started);
          found[j]! += keys.filter((k) => exact.has(k)).length;
        }
      }
      for (const j of clients.keys()) {
        results[j]![name] = { p50Ms: Number(median(times[j]!).toFixed(2)), recallAt10: Number((wanted === 0 ? 1 : found[j]! / wanted).toFixed(4)) };
      }
    }
  } finally {
    for (const client of clients) await client.end();
  }
  return results;
}

async function exactTruth(url: string, queries: readonly Query[], ranges: Record<string, Range>): Promise<Map<string, string[][]>> {
  // Exact answers cost a full scan each: kept per database, queries and ranges for re-runs.
  const key = createHash('sha256').update(JSON.stringify([url, queries.map((q) => q.key), ranges])).digest('hex').slice(0, 16);
  const cacheFile = path.join(os.tmpdir(), `hs-citus-exact-${key}.json`);
  if (fs.existsSync(cacheFile)) return new Map(JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Array<[string, string[][]]>);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set headline_search.exact_scan_rows = 1000000000`);
    const truth = new Map<string, string[][]>();
    for (const [name, range] of Object.entries(ranges)) {
      const lists: string[][] = [];
      for (const q of queries) lists.push(await topKeys(client, q, range));
      truth.set(name, lists);
    }
    fs.writeFileSync(cacheFile, JSON.stringify([...truth]));
    return truth;
  } finally {
    await client.end();
  }
}

async function throughput(url: string, queries: readonly Query[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  const rounds = Math.max(QUERIES, 4 * CONCURRENCY);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < rounds) {
        const q = queries[next++ % queries.length]!;
        await pool.query(`select count(*) from semantic_search($1::halfvec(512), 10)`, [q.vector]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return Number((rounds / seconds).toFixed(1));
}

/** Each shard's execution time and buffers for tier 1's ANN statement (ef_search 200). */
async function perShard(url: string, q: Query, dims: number, range: Range = [null, null]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const reduced = (await client.query<{ r: string }>(`select project_embedding($1::halfvec(512))::text as r`, [q.vector])).rows[0]!.r;
    await client.query('begin');
    await client.query(`set local citus.explain_all_tasks = on`);
    await client.query(`set local citus.propagate_set_commands = 'local'`);
    await client.query(`set local hnsw.ef_search = 200`);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off, timing off) select h.id from headlines h
       where h.published_on >= coalesce($2::date, '-infinity') and h.published_on <= coalesce($3::date, 'infinity')
       order by h.embedding_reduced::halfvec(${dims}) <=> $1::halfvec(${dims}) limit 200`,
      [reduced, range[0], range[1]],
    );
    await client.query('commit');
    const lines = rows.map((r) => r['QUERY PLAN']);
    const shards: string[] = [];
    let current = '';
    for (const line of lines) {
      // The first scan node of each task names the path its shard took (HNSW or date order).
      const scan = /((?:Index Only |Index |Seq |Bitmap Heap )Scan(?: using \S+)? on \S+)/.exec(line);
      if (scan && !current) current = scan[1]!;
      const buffers = /Buffers: (shared .*)/.exec(line);
      if (buffers && current) current += ` (${buffers[1]})`;
      const exec = /^\s+Execution Time: ([\d.]+) ms/.exec(line);
      if (exec && current) {
        shards.push(`${current}: ${exec[1]} ms`);
        current = '';
      }
    }
    const total = /^Execution Time: ([\d.]+) ms/m.exec(lines.join('\n'));
    if (total) shards.push(`coordinator total: ${total[1]} ms`);
    return shards;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const file = corpusFile();
  const single = values.single ? { url: values.single, drop: async () => {} } : await freshServerDatabase('citus_single');
  const cluster = values.cluster ? { url: values.cluster, destroy: async () => {} } : await createCitusCluster(Number(values.workers));
  try {
    const ingestSingle = values.single ? { total: null, index: null } : ingest(single.url, file);
    const ingestCluster = values.cluster ? { total: null, index: null } : ingest(cluster.url, file, values.shards);
    const client = new pg.Client({ connectionString: single.url });
    await client.connect();
    const { rows: span } = await client.query<{ n: string; lo: string; hi: string; dims: number }>(
      `select count(*) as n, min(published_on)::text as lo, max(published_on)::text as hi, (select dimensions from projection) as dims from headlines`,
    );
    const { rows: picked } = await client.query<{ vector: string; key: string }>(
      `select embedding::text as vector, published_on::text || '|' || text as key from headlines
       where id % greatest(1, (select count(*) from headlines) / $1) = 0 order by id limit $1`,
      [QUERIES],
    );
    await client.end();
    const { n, lo, hi, dims } = span[0]!;
    const middle = new Date((Date.parse(lo) + Date.parse(hi)) / 2).toISOString().slice(0, 10);
    const plus = (d: string, days: number) => new Date(Date.parse(d) + days * 86_400_000).toISOString().slice(0, 10);
    const ranges: Record<string, Range> = {
      unfiltered: [null, null],
      day: [middle, middle],
      week: [middle, plus(middle, 6)],
      month: [middle, plus(middle, 30)],
      year: [middle, plus(middle, 365)],
      fiveYears: [middle, plus(middle, 5 * 365)],
      firstYear: [lo, plus(lo, 365)],
    };
    const queries: Query[] = picked;
    const truth = await exactTruth(single.url, queries, ranges);
    const [singleFigures, citusFigures] = await measure([single.url, cluster.url], queries, ranges, truth);
    const report = {
      date: new Date().toISOString(),
      rows: Number(n),
      workers: Number(values.workers),
      shards: values.shards ? Number(values.shards) : Number(values.workers),
      queries: queries.length,
      ranges,
      single: { ingestSeconds: ingestSingle.total, indexSeconds: ingestSingle.index, ...singleFigures, qpsAtC: await throughput(single.url, queries) },
      citus: { ingestSeconds: ingestCluster.total, indexSeconds: ingestCluster.index, ...citusFigures, qpsAtC: await throughput(cluster.url, queries) },
      concurrency: CONCURRENCY,
      citusShards: await perShard(cluster.url, queries[0]!, dims),
      citusShardsYear: await perShard(cluster.url, queries[0]!, dims, ranges.year),
    };
    console.log(JSON.stringify(report, null, 2));
    printSummary('citus', report);
  } finally {
    await cluster.destroy();
    await single.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
