// npm run bench:query — GraphQL search latency/throughput over HTTP (default mode, then
// hybrid against semantic at concurrency 1, request by request) and semantic recall@10
// against exact 512-d cosine, on the whole 98,908-row sample in a real PostgreSQL.
// Prints figures; asserts nothing. BENCH_CORPUS_URL reuses an already loaded database.
// --replica also adds reads through a streaming replica of the server (scripts/replica.sh,
// on a free port) against reads on the primary; --replica only runs just that.
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { readStsPairs } from '../src/eval/read-sts-pairs.ts';
import { silentLogger } from '../src/logger.ts';
import { spawnCli } from '../scripts/lib/spawn-cli.ts';
import { createReplica, onServer, waitForReplay } from '../scripts/lib/replica.ts';
import { DEFAULT_SEARCH_MODE } from '../src/shared/search-mode.ts';
import { ADMIN_URL } from './support/bench-databases.ts';
import { startServer } from './support/start-server.ts';
import { median, percentile } from './support/stats.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';

const SAMPLE = benchFile('HEADLINES_SAMPLE_CSV');
const STS = benchFile('STS_TSV');
const ROWS = 98_908;
const { values: args } = benchOptions(
  { seconds: { type: 'string', default: '15' }, parts: { type: 'string', default: 'search,timeline,recall' }, replica: { type: 'string' } },
  { BENCH_SECONDS: '--seconds', BENCH_PARTS: '--parts search,timeline,recall', BENCH_REPLICA: '--replica also|only' },
);
const SECONDS = positive(args.seconds, 'seconds');
/** Which parts to run: search, timeline, recall; all by default. */
const PARTS = new Set(list(args.parts));
if (args.replica !== undefined && args.replica !== 'also' && args.replica !== 'only') throw new Error(`--replica expects also or only, got ${args.replica}`);
const figures: Record<string, unknown> = { headlines: ROWS, secondsPerRun: SECONDS, defaultMode: DEFAULT_SEARCH_MODE };
function finish(): never {
  printSummary('query', figures);
  process.exit(0);
}

async function corpusUrl(): Promise<string> {
  if (process.env.BENCH_CORPUS_URL) return process.env.BENCH_CORPUS_URL;
  const url = new URL(ADMIN_URL);
  url.pathname = '/hs_bench_corpus';
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = (await admin.query("select 1 from pg_database where datname = 'hs_bench_corpus'")).rowCount === 1;
  if (!exists) await admin.query('create database hs_bench_corpus');
  await admin.end();
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  const n = await c.query('select count(*)::int as n from headlines').then((r) => r.rows[0].n as number, () => 0);
  await c.end();
  if (n !== ROWS) {
    console.log(`loading the sample into ${url.pathname} (one-off, several minutes)...`);
    await run(['ingest', SAMPLE, '--quiet'], { DATABASE_URL: url.toString() });
  }
  return url.toString();
}

function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { ...(process.env as Record<string, string>), ...env }, 'inherit');
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`headlines ${args[0]} exited ${code}`))));
  });
}

const QUERY = 'query($q: String!) { search(query: $q, first: 10) { edges { similarity node { id } } } }';
const modeQuery = (mode: string) => `query($q: String!) { search(query: $q, first: 10, mode: ${mode}) { edges { similarity node { id } } } }`;

async function load(url: string, connections: number, queries: string[]): Promise<{ rps: number; p50: number; p95: number; p99: number; errors: number }> {
  let next = 0;
  const latencies: number[] = [];
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: QUERY, variables: { q: queries[next++ % queries.length] } }) }) }],
    setupClient: (client) => client.on('response', (_status: number, _bytes: number, time: number) => latencies.push(time)),
  });
  return { rps: result.requests.average, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors: result.errors + result.non2xx };
}

const lines = fs.readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(1);
// Distinct query texts that are not corpus rows verbatim: headlines with their first word dropped.
const distinct = lines.filter((_, i) => i % 7 === 3).map((l) => l.slice(9).split(' ').slice(1).join(' ')).filter((q) => q.split(' ').length >= 3);
const repeated = distinct.slice(0, 20);

/**
 * Hybrid against semantic on the same server, request by request: each query is sent in
 * both modes back to back (which mode goes first alternates, so neither always finds the
 * other's pages cached), so both see the same queries and the same load from the rest of
 * the machine. With one connection, responses arrive in request order.
 */
async function compareModes(url: string, queries: string[]): Promise<void> {
  const modes = ['SEMANTIC', 'HYBRID'] as const;
  const modeOf = (i: number) => modes[((i >> 1) + (i & 1)) % 2]!;
  const latencies: Record<string, number[]> = { SEMANTIC: [], HYBRID: [] };
  let sent = 0;
  let received = 0;
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 1,
    duration: SECONDS * 3,
    requests: [{ setupRequest: (req) => { const i = sent++; return { ...req, body: JSON.stringify({ query: modeQuery(modeOf(i)), variables: { q: queries[(i >> 1) % queries.length] } }) }; } }],
    setupClient: (client) => client.on('response', (_status: number, _bytes: number, time: number) => latencies[modeOf(received++)]!.push(time)),
  });
  for (const mode of modes) {
    const l = latencies[mode]!;
    console.log(`cache off, distinct queries, concurrency 1, mode ${mode}: ${l.length} requests, alternating with the other mode; p50 ${percentile(l, 50).toFixed(1)} ms, p95 ${percentile(l, 95).toFixed(1)} ms, p99 ${percentile(l, 99).toFixed(1)} ms`);
  }
  const gap = percentile(latencies.HYBRID!, 50) - percentile(latencies.SEMANTIC!, 50);
  figures.modesConcurrency1 = { ...Object.fromEntries(modes.map((m) => [m, { p50Ms: percentile(latencies[m]!, 50), p95Ms: percentile(latencies[m]!, 95) }])), hybridMinusSemanticP50Ms: gap };
  console.log(`hybrid p50 - semantic p50 (same run): ${gap.toFixed(1)} ms; errors ${result.errors + result.non2xx}`);
}

/**
 * The same distinct, uncached searches served by one API process reading on the primary, and
 * by one reading through DATABASE_READ_URLS on a streaming replica of it, on this machine.
 * The two alternate, twice per concurrency, so both see the same load from the rest of it.
 */
async function compareReplica(url: string): Promise<void> {
  const started = Date.now();
  const replica = await createReplica();
  try {
    const replicaUrl = onServer(replica.url, url);
    await waitForReplay(url, replicaUrl, 600_000);
    console.log(`replica: pg_basebackup of the whole server and start in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const setups = [
      // One benchmark client is one client to the rate limiter: off, or it measures 429s.
      ['reads on the primary', { DATABASE_URL: url, QUERY_CACHE_SIZE: '0', RATE_LIMIT_PER_MINUTE: '0' }],
      ['reads on the replica', { DATABASE_URL: url, QUERY_CACHE_SIZE: '0', RATE_LIMIT_PER_MINUTE: '0', DATABASE_READ_URLS: replicaUrl }],
    ] as const;
    const servers = await Promise.all(setups.map(([, env]) => startServer(env)));
    for (const server of servers) await load(server.url, 4, distinct.slice(-200)); // warm up
    for (const connections of [1, 16]) {
      const runs: Array<Array<Awaited<ReturnType<typeof load>>>> = [[], []];
      for (let round = 0; round < 2; round++) {
        for (const [i, server] of servers.entries()) runs[i]!.push(await load(server.url, connections, distinct.slice(round * 5000 + i * 2500)));
      }
      for (const [i, [label]] of setups.entries()) {
        const r = runs[i]!;
        console.log(`${label}, cache off, distinct queries, concurrency ${connections}, 2 runs: ${r.map((x) => x.rps.toFixed(0)).join(' / ')} req/s; p50 ${r.map((x) => x.p50.toFixed(1)).join(' / ')} ms, p99 ${r.map((x) => x.p99.toFixed(1)).join(' / ')} ms; errors ${r.reduce((a, x) => a + x.errors, 0)}`);
      }
    }
    const metrics = await (await fetch(`${servers[1]!.url}/metrics`)).text();
    const reads = (pool: string) => Number(new RegExp(`headline_search_read_pool_queries_total\\{pool="${pool}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    const lag = /headline_search_replica_lag_seconds\{pool="replica-1"\} (\S+)/.exec(metrics)?.[1];
    console.log(`replica server's reads: replica-1 ${reads('replica-1')}, primary ${reads('primary')}; last measured lag ${lag === undefined ? '?' : `${(Number(lag) * 1000).toFixed(0)} ms`}`);
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.on('exit', r));
    }
  } finally {
    await replica.destroy();
  }
}

/** p50/p95 of sequential requests, one document per query text, each request timed alone. */
async function sequential(url: string, document: string, queries: string[], extra: Record<string, unknown> = {}): Promise<{ p50: number; p95: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  for (const q of queries) {
    const started = performance.now();
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document, variables: { q, ...extra } }) });
    const body = (await res.json()) as { errors?: unknown[] };
    times.push(performance.now() - started);
    if (!res.ok || body.errors) errors++;
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), errors };
}

const TIMELINE = 'query($q: String!, $bucket: Bucket, $top: Int) { timeline(query: $q, bucket: $bucket, top: $top) { period count share topHeadline { id } } }';
const COLLAPSE = 'query($q: String!, $collapse: Boolean) { search(query: $q, first: 10, collapse: $collapse) { edges { similarity node { id } duplicates { id } } } }';

/**
 * timeline over the top 1,000 (the budget: p50 <= 50 ms) and over 5,000, end to end over
 * HTTP with the query cache on and warmed (so the figure is the database's and the API's,
 * not the model's); the same queries through semantic_timeline() directly; and the first
 * page of search with collapse against without, alternating query by query.
 */
async function timelineFigures(url: string, queries: string[]): Promise<void> {
  // Hundreds of requests a minute from one client: past the default rate limit.
  const server = await startServer({ DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: '0' });
  for (const q of queries) await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY, variables: { q } }) });
  const search = await sequential(server.url, QUERY, queries);
  console.log(`for comparison, search(first: 10) over HTTP, the same queries (cached vectors): p50 ${search.p50.toFixed(1)} ms, p95 ${search.p95.toFixed(1)} ms; errors ${search.errors}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // Past 1,000 the index cannot give enough candidates and semantic_search scans exactly: fewer queries.
  for (const [bucket, top, n] of [['YEAR', 1000, queries.length], ['MONTH', 1000, queries.length], ['DAY', 1000, queries.length], ['YEAR', 5000, 40]] as const) {
    const r = await sequential(server.url, TIMELINE, queries.slice(0, n), { bucket, top });
    console.log(`timeline(bucket: ${bucket}, top: ${top}) over HTTP, ${n} distinct queries (cached vectors), concurrency 1: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms; errors ${r.errors}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  }
  const on: number[] = [];
  const off: number[] = [];
  let errors = 0;
  for (const [i, q] of queries.entries()) {
    for (const collapse of i % 2 ? [true, false] : [false, true]) {
      const r = await sequential(server.url, COLLAPSE, [q], { collapse });
      (collapse ? on : off).push(r.p50);
      errors += r.errors;
    }
  }
  figures.collapseP50Ms = { off: percentile(off, 50), on: percentile(on, 50) };
  console.log(`search first 10, collapse false / true, alternating, ${queries.length} queries: p50 ${percentile(off, 50).toFixed(1)} / ${percentile(on, 50).toFixed(1)} ms, p95 ${percentile(off, 95).toFixed(1)} / ${percentile(on, 95).toFixed(1)} ms; errors ${errors}`);
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.on('exit', r));

  const embedder = await createEmbedder(parseConfig({ EMBED_BACKEND: 'wasm' }), silentLogger, 'query');
  const vectors = await embedder.embed(queries);
  await embedder.close();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  // The timeline against the search it counts over, query by query, alternating which goes first.
  const statements = { timeline: "select * from semantic_timeline($1::halfvec(512), 'year', 1000)", search: 'select id from semantic_search($1::halfvec(512), 1000)' };
  const times: Record<string, number[]> = { timeline: [], search: [] };
  for (const [i, v] of vectors.entries()) {
    for (const name of i % 2 ? (['timeline', 'search'] as const) : (['search', 'timeline'] as const)) {
      const started = performance.now();
      await db.query(statements[name], [toVectorLiteral(v)]);
      times[name]!.push(performance.now() - started);
    }
  }
  await db.end();
  console.log(`in SQL, ${vectors.length} queries alternating: semantic_timeline(v, 'year', 1000) p50 ${percentile(times.timeline!, 50).toFixed(1)} ms, p95 ${percentile(times.timeline!, 95).toFixed(1)} ms; semantic_search(v, 1000) alone p50 ${percentile(times.search!, 50).toFixed(1)} ms, p95 ${percentile(times.search!, 95).toFixed(1)} ms; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const url = await corpusUrl();
const cacheOff = { DATABASE_URL: url, QUERY_CACHE_SIZE: '0' };
console.log(`bench:query  ${ROWS} headlines, real PostgreSQL; ${os.availableParallelism()} cores; ${SECONDS} s per run; default mode: ${DEFAULT_SEARCH_MODE}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (args.replica) await compareReplica(url);
if (args.replica === 'only') finish();
if (PARTS.has('timeline')) await timelineFigures(url, distinct.slice(2000, 2200));
const searchFigures: unknown[] = [];
figures.search = searchFigures;
for (const [label, env, queries] of PARTS.has('search') ? [
  ['cache off, distinct queries', cacheOff, distinct],
  ['cache on, 20 repeated queries', { DATABASE_URL: url }, repeated],
] as const : []) {
  const server = await startServer(env);
  await load(server.url, 4, queries.slice(-200)); // warm up
  for (const connections of [1, 16]) {
    const r = await load(server.url, connections, queries);
    searchFigures.push({ run: label, connections, requestsPerSecond: r.rps, p50Ms: r.p50, p95Ms: r.p95, p99Ms: r.p99, errors: r.errors });
    console.log(`${label}, concurrency ${connections}: ${r.rps.toFixed(0)} req/s; p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; errors ${r.errors}`);
  }
  if (env === cacheOff) await compareModes(server.url, queries.slice(3000));
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.on('exit', r));
}

// Recall@10 of served semantic results against exact cosine on the full 512-d vectors.
if (!PARTS.has('recall')) finish();
const sts = await readStsPairs(STS);
const recallQueries = [...new Set(sts.map((p) => p.sentence1))].slice(0, 100).concat(distinct.slice(1000, 1100));
const server = await startServer({ DATABASE_URL: url, QUERY_CACHE_SIZE: '0' });
const embedder = await createEmbedder(parseConfig({ EMBED_BACKEND: 'wasm' }), silentLogger, 'query');
const db = new pg.Client({ connectionString: url });
await db.connect();
const recalls: number[] = [];
for (const q of recallQueries) {
  const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: modeQuery('SEMANTIC'), variables: { q } }) });
  const served = ((await res.json()) as { data: { search: { edges: Array<{ node: { id: string } }> } } }).data.search.edges.map((e) => e.node.id);
  const [v] = await embedder.embed([q]);
  const exact = await db.query<{ id: string }>('select id from headlines order by embedding <=> $1::halfvec(512), id limit 10', [toVectorLiteral(v!)]);
  const truth = new Set(exact.rows.map((r) => r.id));
  recalls.push(served.filter((id) => truth.has(id)).length / 10);
}
await db.end();
await embedder.close();
server.child.kill('SIGTERM');
const mean = recalls.reduce((a, b) => a + b, 0) / recalls.length;
console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`semantic recall@10 over ${recalls.length} queries (100 STS sentences, 100 altered headlines), default settings: mean ${mean.toFixed(3)}, median ${median(recalls).toFixed(2)}, min ${Math.min(...recalls).toFixed(1)}`);
figures.semanticRecallAt10 = { queries: recalls.length, mean, median: median(recalls), minimum: Math.min(...recalls) };
finish();
