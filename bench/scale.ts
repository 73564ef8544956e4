// npm run bench:scale -- --rows N [--seed S] [--queries Q] [--latency-queries L] [--seconds T] [--server tuned|local] [--skip-embedded] [--reuse URL] [--keep]
// The whole pipeline at a corpus size: a corpus from the command in SCALE_CORPUS_TOOL in a
// temp dir, ingested into a fresh server database, then searched; and the embedded database
// with the same corpus (or its refusal past EMBEDDED_MAX_HEADLINES). Prints ingest wall
// time and stages, embedding alone on a slice, peak RSS, database size, unfiltered and
// filtered latency and recall against exact, throughput at c=16 over HTTP and the depth
// that hasNextPage chains reach. Asserts nothing. EMBED_MODEL=hash for a quick run.
// The server is, by default, a PostgreSQL cluster of the bench's own with docker-compose.yml's
// settings (scripts/tuned-server.sh, port 5443); `--server local` uses BENCH_DATABASE_URL's
// server as it is configured. `--reuse URL` measures the searches alone, on a database an
// earlier run kept (--keep).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { freshServerDatabase } from './support/bench-databases.ts';
import { median, percentile } from './support/stats.ts';
import { startServer } from './support/start-server.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, positive, printSummary } from './support/bench-options.ts';

const { values: args } = benchOptions(
  {
    rows: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '1' },
    queries: { type: 'string', default: '100' },
    'latency-queries': { type: 'string', default: '500' },
    reuse: { type: 'string' },
    seconds: { type: 'string', default: '15' },
    'skip-embedded': { type: 'boolean', default: false },
    server: { type: 'string', default: 'tuned' },
    keep: { type: 'boolean', default: false },
  },
  { BENCH_KEEP: '--keep' },
);
const ROWS = positive(args.rows, 'rows');
const QUERIES = positive(args.queries, 'queries');
const LATENCY_QUERIES = positive(args['latency-queries'], 'latency-queries');
const SECONDS = positive(args.seconds, 'seconds');
const figures: Record<string, unknown> = {};
const TOOL = benchFile('SCALE_CORPUS_TOOL');
const TUNED_SERVER = new URL('../scripts/tuned-server.sh', import.meta.url).pathname;
const TUNED_PORT = 5443;
if (args.server !== 'tuned' && args.server !== 'local') throw new Error(`--server must be tuned or local, got ${args.server}`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const say = (line: string) => console.log(line);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssMb: number;
}

const BIN = new URL('../bin/headlines.js', import.meta.url).pathname;

/**
 * `headlines <args>` as a child, its wall time and peak RSS (VmHWM, sampled until it
 * exits). The compiled command users run (built at the start), not the sources through
 * tsx, whose start-up compiles them and would be timed with the increment.
 */
function runHeadlines(argv: string[], env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  const timer = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peak = Math.max(peak, Number(hwm[1]) / 1024);
    } catch {
      // exited between samples
    }
  }, 250);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000, peakRssMb: peak });
    });
  });
}

async function makeCorpus(dir: string): Promise<string> {
  const file = path.join(dir, 'corpus.csv');
  const out = fs.createWriteStream(file);
  const child = spawn(TOOL, ['--rows', String(ROWS), '--seed', args.seed!], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(out);
  await new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(null) : reject(new Error(`make-scale-corpus exited ${code}`)))));
  await new Promise((resolve) => out.close(resolve));
  return file;
}

/** A cluster with docker-compose.yml's settings in `dir`; its admin URL and how to remove it. */
async function tunedServer(dir: string): Promise<{ url: string; destroy: () => Promise<void> }> {
  const pgDir = path.join(dir, 'pg');
  // As root the cluster runs as `postgres`, which must be able to reach its directory.
  fs.chmodSync(dir, 0o755);
  const run = (argv: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('bash', [TUNED_SERVER, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`tuned-server.sh ${argv[0]} exited ${code}`))));
    });
  const out = await run(['create', String(TUNED_PORT), pgDir]);
  const url = /TUNED_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`tuned-server.sh printed no URL: ${out}`);
  return { url, destroy: async () => void (await run(['destroy', pgDir])) };
}

/** `count` new headlines dated the day after the corpus ends: a daily increment. */
function incrementFile(dir: string, corpus: string, count: number, day: string): string {
  const file = path.join(dir, 'increment.csv');
  const texts = fs.readFileSync(corpus, 'utf8').split('\n').slice(1, 1 + count).map((l) => l.slice(l.indexOf(',') + 1));
  fs.writeFileSync(file, ['publish_date,headline_text', ...texts.map((t, i) => `${day},${t} update ${i}`)].join('\n') + '\n');
  return file;
}

/** Embedding alone: the bulk embedder on every `step`-th row of the corpus, as rows per second. */
async function embeddingAloneRate(file: string, rows: number): Promise<{ rate: number; step: number }> {
  // Every n-th row, so the slice has the whole corpus's mix of lengths (the real sample's
  // rows come first in make-scale-corpus's output and are shorter than its generated ones).
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.length > 0);
  const step = Math.max(1, Math.floor(lines.length / rows));
  const texts = lines.filter((_, i) => i % step === 0).slice(0, rows).map((l) => l.slice(l.indexOf(',') + 1));
  const embedder = await createEmbedder(parseConfig({ ...process.env, LOG_LEVEL: 'silent' }), silentLogger, 'bulk');
  try {
    await embedder.embed(texts.slice(0, 256));
    const started = performance.now();
    for (let i = 0; i < texts.length; i += 2000) await embedder.embed(texts.slice(i, i + 2000));
    return { rate: texts.length / ((performance.now() - started) / 1000), step };
  } finally {
    await embedder.close();
  }
}

async function timed(c: pg.Client, settings: Record<string, string>, text: string, params: unknown[]): Promise<{ ms: number; ids: string[] }> {
  await c.query('begin');
  for (const [name, value] of Object.entries(settings)) await c.query('select set_config($1, $2, true)', [name, value]);
  const started = performance.now();
  const { rows } = await c.query<{ id: string }>(text, params);
  const ms = performance.now() - started;
  await c.query('commit');
  return { ms, ids: rows.map((r) => r.id) };
}

const EXACT = { 'headline_search.exact_scan_rows': '1e12' };
// The API's search settings from docker-compose.yml, the deployment a corpus this size is
// documented for: the SQL figures below are what its API runs.
const COMPOSE_EXACT_SCAN_ROWS = /SEARCH_EXACT_SCAN_ROWS:\s*"(\d+)"/.exec(fs.readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8'))?.[1];
const API_SETTINGS: Record<string, string> = COMPOSE_EXACT_SCAN_ROWS ? { 'headline_search.exact_scan_rows': COMPOSE_EXACT_SCAN_ROWS } : {};
const API_ENV: Record<string, string> = COMPOSE_EXACT_SCAN_ROWS ? { SEARCH_EXACT_SCAN_ROWS: COMPOSE_EXACT_SCAN_ROWS } : {};
// As the API calls it: the query projected by the caller (a stored headline's own reduced
// vector is its embedding projected so), passed as query_reduced.
const SEARCH = 'select id from semantic_search($1::halfvec(512), 10, $2::date, $3::date, $4::halfvec)';

interface StoredQuery {
  readonly e: string;
  readonly r: string;
}

/**
 * How many of `ids` are as near to the query as `kth`, counted on the full vectors: the
 * corpus repeats headlines, and which of several rows at the 10th exact distance an exact
 * page holds is only the id order's choice, so a row at that distance counts as found
 * (ann-benchmarks' way, as bench:designs counts it).
 */
async function asNearAs(c: pg.Client, ids: readonly string[], query: string, kth: number): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await c.query<{ n: number }>('select count(*)::int as n from headlines where id = any($1::bigint[]) and (embedding <=> $2::halfvec(512))::float8 <= $3', [ids, query, kth + 1e-9]);
  return rows[0]!.n;
}

/**
 * recall@10 of semantic_search (in SQL, the API's own function) against exact 512-d on
 * `recallQueries`, with ties and id by id, then p50/p95 over `latencyQueries`, distinct and
 * back to back: an exact answer is a full scan of seconds, and timed searches interleaved
 * with them would find every page they need gone cold, which no server under steady
 * traffic sees.
 */
async function searchFigures(c: pg.Client, recallQueries: StoredQuery[], latencyQueries: StoredQuery[], from: string | null, to: string | null, inRange: number): Promise<{ text: string; p50Ms: number; p95Ms: number; recallAt10Mean: number; recallAt10Min: number; idRecallAt10Mean: number; shortPages: number }> {
  const recalls: number[] = [];
  const idRecalls: number[] = [];
  let shortPages = 0;
  const full = Math.min(10, inRange);
  for (const q of recallQueries) {
    const exact = (await timed(c, EXACT, SEARCH, [q.e, from, to, q.r])).ids;
    const got = await timed(c, API_SETTINGS, SEARCH, [q.e, from, to, q.r]);
    if (exact.length === 0) {
      recalls.push(1);
      idRecalls.push(1);
    } else {
      const { rows } = await c.query<{ d: number }>('select (embedding <=> $2::halfvec(512))::float8 as d from headlines where id = $1', [exact.at(-1), q.e]);
      recalls.push((await asNearAs(c, got.ids.slice(0, exact.length), q.e, rows[0]!.d)) / exact.length);
      const exactIds = new Set(exact);
      idRecalls.push(got.ids.filter((id) => exactIds.has(id)).length / exact.length);
    }
    if (got.ids.length < full) shortPages++;
  }
  const ms: number[] = [];
  for (const q of latencyQueries) {
    const got = await timed(c, API_SETTINGS, SEARCH, [q.e, from, to, q.r]);
    ms.push(got.ms);
    if (got.ids.length < full) shortPages++;
  }
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mean = meanOf(recalls);
  const idMean = meanOf(idRecalls);
  const text = `p50 ${median(ms).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms (${ms.length} queries), recall@10 mean ${mean.toFixed(3)} min ${Math.min(...recalls).toFixed(2)} (id by id ${idMean.toFixed(3)}; ${recalls.length} queries), short pages ${shortPages}`;
  return { text, p50Ms: median(ms), p95Ms: percentile(ms, 95), recallAt10Mean: mean, recallAt10Min: Math.min(...recalls), idRecallAt10Mean: idMean, shortPages };
}

async function graphql(base: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return response.json();
}

const PAGE = 'query($q: String!, $first: Int!, $after: String) { search(query: $q, first: $first, after: $after, mode: SEMANTIC) { edges { node { id } } pageInfo { hasNextPage endCursor } } }';

/** Follows hasNextPage with pages of `first`: the depth reached and whether it matches one query per page size. */
async function pagingDepth(base: string, q: string, first: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const body = await graphql(base, PAGE, { q, first, after });
    const page = body.data.search;
    ids.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

async function throughput(base: string, texts: string[], connections: number, mode: 'SEMANTIC' | 'HYBRID' = 'SEMANTIC'): Promise<{ text: string; requestsPerSecond: number; p50Ms: number; p95Ms: number; errors: number }> {
  let next = 0;
  const latencies: number[] = [];
  const result = await autocannon({
    url: `${base}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: `query($q: String!) { search(query: $q, first: 10, mode: ${mode}) { edges { node { id } } } }`, variables: { q: texts[next++ % texts.length] } }) }) }],
    setupClient: (client) => client.on('response', (_s: number, _b: number, time: number) => latencies.push(time)),
  });
  const measured = { requestsPerSecond: result.requests.average, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), errors: result.errors + result.non2xx };
  return { text: `${measured.requestsPerSecond.toFixed(0)} req/s, p50 ${measured.p50Ms.toFixed(1)} ms, p95 ${measured.p95Ms.toFixed(1)} ms, errors ${measured.errors}`, ...measured };
}

function stageLines(run: Run): string {
  return run.stdout.split('\n').filter((l) => /summary|time:|rate:|projection:/.test(l)).map((l) => `    ${l.trim()}`).join('\n');
}

/** Searches on an ingested database: sizes, SQL latency and recall by scope, HTTP, paging depth. */
async function searchPhase(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // The load leaves gigabytes of dirty buffers (the vacuum's hint bits too): written out
    // now, so that the searches below measure searching, not the server flushing them.
    await c.query('checkpoint');
    const size = await c.query<Record<string, string>>(`select pg_size_pretty(pg_total_relation_size('headlines')) as total, pg_size_pretty(pg_relation_size('headlines')) as heap,
      (select string_agg(indexrelname || ' ' || pg_size_pretty(pg_relation_size(indexrelid)), ', ' order by indexrelname) from pg_stat_user_indexes where relname = 'headlines') as indexes`);
    say(`database: headlines ${size.rows[0]!.total} (heap ${size.rows[0]!.heap}; ${size.rows[0]!.indexes})`);
    // Distinct stored headlines, a fixed sample: the first QUERIES give recall, the rest latency.
    const rows = Number((await c.query<{ n: string }>(`select reltuples::bigint as n from pg_class where relname = 'headlines'`)).rows[0]!.n);
    const percent = Math.min(100, (200 * (QUERIES + LATENCY_QUERIES)) / Math.max(rows, 1));
    // Ordered before the limit: a sample scan may start where another scan of the table
    // is (synchronized scans), and the first rows it returns would differ from run to run.
    const sample = await c.query<{ e: string; r: string; text: string }>(
      `select e, r, text from (select id, embedding::text as e, embedding_reduced::text as r, text from headlines tablesample bernoulli (${percent}) repeatable (5)) s order by id limit ${QUERIES + LATENCY_QUERIES}`,
    );
    const queries = sample.rows.slice(0, QUERIES);
    const latencyRows = sample.rows.slice(QUERIES);
    const latencyQueries = latencyRows;
    const span = (await c.query<{ lo: string; hi: string }>(`select min(published_on)::text as lo, max(published_on)::text as hi from headlines`)).rows[0]!;
    const densest = (await c.query<{ y: number }>(`select extract(year from published_on)::int as y from headline_days group by 1 order by sum(headlines) desc, 1 limit 1`)).rows[0]!.y;
    say(`semantic_search in SQL, stored headlines as queries: ${queries.length} for recall, ${latencyQueries.length} others timed back to back, settings ${JSON.stringify(API_SETTINGS)}; load average ${load()}`);
    const bySearchScope: unknown[] = [];
    figures.sqlSearch = bySearchScope;
    for (const [label, from, to] of [
      ['unfiltered', null, null],
      ['1 day', '2012-05-14', '2012-05-14'],
      ['1 week', '2012-05-14', '2012-05-20'],
      ['1 month', '2012-05-01', '2012-05-31'],
      ['3 months across a new year', '2012-11-15', '2013-02-14'],
      ['1 year', '2012-01-01', '2012-12-31'],
      [`the densest year, ${densest}`, `${densest}-01-01`, `${densest}-12-31`],
      ['2 years', '2011-01-01', '2012-12-31'],
      ['3 years', '2010-01-01', '2012-12-31'],
      ['4 years', '2009-01-01', '2012-12-31'],
      ['5 years', '2008-01-01', '2012-12-31'],
      ['whole span as a range', span.lo, span.hi],
    ] as const) {
      const n = from ? (await c.query<{ n: number }>('select count(*)::int as n from headlines where published_on between $1 and $2', [from, to])).rows[0]!.n : null;
      const { text, ...scope } = await searchFigures(c, queries, latencyQueries, from, to, n ?? rows);
      bySearchScope.push({ scope: label, rows: n, ...scope });
      say(`  ${label}${n === null ? '' : ` (${n} rows)`}: ${text}`);
    }

    const api = await startServer({ DATABASE_URL: url, QUERY_CACHE_SIZE: '0', ...API_ENV });
    try {
      // Every request a headline not asked before in this run, as far as the sample goes.
      const texts = latencyRows.map((r) => r.text);
      say(`HTTP search(first: 10, mode: SEMANTIC, then HYBRID), cache off, ${SECONDS} s each; load average ${load()}`);
      const [{ text: one, ...c1 }, { text: sixteen, ...c16 }] = [await throughput(api.url, texts, 1), await throughput(api.url, texts, 16)];
      const { text: hybridOne, ...hybridC1 } = await throughput(api.url, texts, 1, 'HYBRID');
      figures.httpSearch = { c1, c16, hybridC1 };
      say(`  c=1:  ${one}`);
      say(`  c=16: ${sixteen}`);
      say(`  HYBRID c=1: ${hybridOne}`);
      const q = sample.rows[0]!.text;
      const [tens, hundreds] = [await pagingDepth(api.url, q, 10), await pagingDepth(api.url, q, 100)];
      const same = tens.length === hundreds.length && tens.every((id, i) => id === hundreds[i]);
      figures.pagingDepth = { pagesOf10: tens.length, pagesOf100: hundreds.length, identical: same };
      say(`  paging "${q}": pages of 10 reach ${tens.length}, pages of 100 reach ${hundreds.length}, ${same ? 'identical' : 'DIFFERENT'} concatenations`);
    } finally {
      api.child.kill('SIGTERM');
    }
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  if (args.reuse) {
    say(`bench:scale, searches only on ${args.reuse}; load average at start ${load()}`);
    await searchPhase(args.reuse);
    return;
  }
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-bench-scale-'));
  say(`bench:scale, ${ROWS} rows, seed ${args.seed}, EMBED_MODEL=${process.env.EMBED_MODEL ?? 'use-lite'}, ${os.cpus().length} cores; load average at start ${load()}`);
  const tuned = args.server === 'tuned' ? await tunedServer(dir) : null;
  if (tuned) say(`server: a cluster of the bench's own on port ${TUNED_PORT} with docker-compose.yml's settings (scripts/tuned-server.sh)`);
  else say('server: BENCH_DATABASE_URL/TEST_DATABASE_URL\'s server with its own settings');
  const server = await freshServerDatabase('scale', tuned?.url);
  try {
    const file = await makeCorpus(dir);
    say(`corpus: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB in ${file}`);

    const slice = Math.min(50_000, ROWS);
    const { rate, step } = await embeddingAloneRate(file, slice);
    figures.embeddingAlonePerSecond = rate;
    say(`embedding alone (${slice} rows, every ${step}th): ${rate.toFixed(0)} rows/s, so ${(ROWS / rate).toFixed(0)} s for ${ROWS} rows; load average ${load()}`);

    const ingest = await runHeadlines(['ingest', file], { DATABASE_URL: server.url, LOG_LEVEL: 'info' });
    if (ingest.code !== 0) throw new Error(`server ingest failed:\n${ingest.stderr.slice(-2000)}`);
    figures.serverIngest = { seconds: ingest.seconds, peakRssMb: ingest.peakRssMb };
    say(`server ingest: wall ${ingest.seconds.toFixed(1)} s (embedding alone + ${(ingest.seconds - ROWS / rate).toFixed(0)} s), peak RSS ${ingest.peakRssMb.toFixed(0)} MB; load average ${load()}`);
    say(stageLines(ingest));
    const indexLines = ingest.stderr.split('\n').filter((l) => /index: /.test(l));
    say(`  index progress lines: ${indexLines.length}; last: ${indexLines.at(-1)?.replace(/^.*index: /, '') ?? 'none'}`);

    const rerun = await runHeadlines(['ingest', file, '--quiet'], { DATABASE_URL: server.url, LOG_LEVEL: 'warn' });
    figures.rerunSeconds = rerun.seconds;
    say(`re-run (all duplicates): ${rerun.seconds.toFixed(1)} s, process start included`);
    const increment = await runHeadlines(['ingest', incrementFile(dir, file, 500, '20220101'), '--quiet'], { DATABASE_URL: server.url, LOG_LEVEL: 'warn' });
    if (increment.code !== 0) throw new Error(`increment failed:\n${increment.stderr.slice(-2000)}`);
    figures.increment500Seconds = increment.seconds;
    say(`daily increment of 500 new rows into the indexed table: ${increment.seconds.toFixed(1)} s, process start included`);

    await searchPhase(server.url);

    if (!args['skip-embedded']) {
      const dataDir = path.join(dir, 'embedded');
      const embedded = await runHeadlines(['ingest', file], { DATA_DIR: dataDir, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'info' });
      const refusal = /holds at most (\d+)/.exec(embedded.stderr);
      figures.embeddedIngest = { seconds: embedded.seconds, peakRssMb: embedded.peakRssMb, refusedAt: refusal ? Number(refusal[1]) : null, exitCode: embedded.code };
      if (refusal) say(`embedded: refused after ${embedded.seconds.toFixed(1)} s (limit ${refusal[1]}), peak RSS ${embedded.peakRssMb.toFixed(0)} MB`);
      else if (embedded.code !== 0) say(`embedded: FAILED (exit ${embedded.code}):\n${embedded.stderr.slice(-1500)}`);
      else {
        say(`embedded ingest: wall ${embedded.seconds.toFixed(1)} s, peak RSS ${embedded.peakRssMb.toFixed(0)} MB; load average ${load()}`);
        say(stageLines(embedded));
      }
    }
  } finally {
    if (!args.keep) {
      await server.drop();
      await tuned?.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    } else say(`kept ${server.url}${tuned ? ` (cluster in ${dir}/pg: scripts/tuned-server.sh destroy ${dir}/pg)` : ''}`);
  }
  say(`load average at end ${load()}`);
}

await main();
printSummary('scale', { rows: args.reuse ? null : ROWS, seed: Number(args.seed), reuse: args.reuse ?? null, server: args.server, embedModel: process.env.EMBED_MODEL ?? 'use-lite', ...figures });
