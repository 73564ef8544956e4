// npm run bench:query — GraphQL search latency/throughput over HTTP (default mode, then
// hybrid against semantic at concurrency 1, request by request) and semantic recall@10
// against exact 512-d cosine, on the whole 98,908-row sample in a real PostgreSQL.
// Prints figures; asserts nothing. BENCH_CORPUS_URL reuses an already loaded database.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { readStsPairs } from '../src/eval/read-sts-pairs.ts';
import { silentLogger } from '../src/logger.ts';
import { spawnCli } from '../test/support/run-cli.ts';
import { DEFAULT_SEARCH_MODE } from '../src/shared/search-mode.ts';
import { ADMIN_URL } from './bench-databases.ts';
import { median, percentile } from './stats.ts';

const SAMPLE = '../shared/data/abcnews-sample.csv';
const STS = '../shared/data/sts-test.tsv';
const ROWS = 98_908;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

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

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(['serve', '--port', '0'], { ...(process.env as Record<string, string>), LOG_LEVEL: 'info', ...env });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/localhost:(\d+)\/graphql/.test(log)) {
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${/localhost:(\d+)/.exec(log)![1]}` };
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
  console.log(`hybrid p50 - semantic p50 (same run): ${gap.toFixed(1)} ms; errors ${result.errors + result.non2xx}`);
}

const url = await corpusUrl();
const cacheOff = { DATABASE_URL: url, QUERY_CACHE_SIZE: '0' };
console.log(`bench:query  ${ROWS} headlines, real PostgreSQL; ${os.availableParallelism()} cores; ${SECONDS} s per run; default mode: ${DEFAULT_SEARCH_MODE}`);
for (const [label, env, queries] of [
  ['cache off, distinct queries', cacheOff, distinct],
  ['cache on, 20 repeated queries', { DATABASE_URL: url }, repeated],
] as const) {
  const server = await startServer(env);
  await load(server.url, 4, queries.slice(-200)); // warm up
  for (const connections of [1, 16]) {
    const r = await load(server.url, connections, queries);
    console.log(`${label}, concurrency ${connections}: ${r.rps.toFixed(0)} req/s; p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; errors ${r.errors}`);
  }
  if (env === cacheOff) await compareModes(server.url, queries.slice(3000));
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.on('exit', r));
}

// Recall@10 of served semantic results against exact cosine on the full 512-d vectors.
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
console.log(`semantic recall@10 over ${recalls.length} queries (100 STS sentences, 100 altered headlines), default settings: mean ${mean.toFixed(3)}, median ${median(recalls).toFixed(2)}, min ${Math.min(...recalls).toFixed(1)}`);
