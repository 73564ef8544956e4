// node --import tsx bench/search-settings.ts DATABASE_URL [--queries Q] [--pools 40,100,200] [--from D --to D]
// semantic_search in SQL on an already loaded database, for each candidate pool size
// (headline_search.candidates; ef_search follows it): p50/p95 latency and recall@10 against
// exact 512-d cosine, stored headlines as queries, the pools alternated query by query so
// that the machine's load falls on all of them alike. Also times the function's parts at
// the default pool: the HNSW candidate query alone and the re-rank alone. Asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { median, percentile } from './support/stats.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';

const { positionals, values: args } = benchOptions({
  queries: { type: 'string', default: '100' },
  pools: { type: 'string', default: '40,60,100,150,200' },
  from: { type: 'string' },
  to: { type: 'string' },
});
const url = positionals[0];
if (!url) throw new Error('usage: bench/search-settings.ts DATABASE_URL [--queries Q] [--pools 40,100,200]');
const POOLS = list(args.pools).map(Number);
const SEARCH = 'select id from semantic_search($1::halfvec(512), 10, $2::date, $3::date)';

const c = new pg.Client({ connectionString: url });
await c.connect();

async function timed(settings: Record<string, string>, text: string, params: unknown[]): Promise<{ ms: number; rows: any[] }> {
  await c.query('begin');
  for (const [name, value] of Object.entries(settings)) await c.query('select set_config($1, $2, true)', [name, value]);
  const started = performance.now();
  const { rows } = await c.query(text, params);
  const ms = performance.now() - started;
  await c.query('commit');
  return { ms, rows };
}

const { rows: sample } = await c.query<{ e: string }>(`select embedding::text as e from headlines tablesample bernoulli (1) repeatable (7) limit ${positive(args.queries, 'queries')}`);
const range = [args.from ?? null, args.to ?? null];
console.log(`search settings sweep: ${sample.length} stored headlines as queries, range ${range[0] ?? '-'}..${range[1] ?? '-'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// Exact answers cost a full scan each: computed once per database and range, then reused.
const cacheFile = path.join(os.tmpdir(), `hs-exact-${new URL(url).pathname.slice(1)}-${range.join('_')}-${sample.length}.json`);
const cached: Record<string, string[]> = fs.existsSync(cacheFile) ? JSON.parse(fs.readFileSync(cacheFile, 'utf8')) : {};
const exact = new Map<string, Set<string>>();
for (const { e } of sample) {
  cached[e] ??= (await timed({ 'headline_search.exact_scan_rows': '1e12' }, SEARCH, [e, ...range])).rows.map((r) => r.id);
  exact.set(e, new Set(cached[e]));
}
fs.writeFileSync(cacheFile, JSON.stringify(cached));

// Warm every setting once, then alternate.
const times = new Map<number, number[]>(POOLS.map((p) => [p, []]));
const recalls = new Map<number, number[]>(POOLS.map((p) => [p, []]));
for (const p of POOLS) await timed({ 'headline_search.candidates': String(p) }, SEARCH, [sample[0]!.e, ...range]);
for (const { e } of sample) {
  const truth = exact.get(e)!;
  for (const p of POOLS) {
    const got = await timed({ 'headline_search.candidates': String(p) }, SEARCH, [e, ...range]);
    times.get(p)!.push(got.ms);
    recalls.get(p)!.push(truth.size === 0 ? 1 : got.rows.filter((r) => truth.has(r.id)).length / truth.size);
  }
}
for (const p of POOLS) {
  const r = recalls.get(p)!;
  const t = times.get(p)!;
  console.log(`  candidates ${String(p).padStart(4)}: p50 ${median(t).toFixed(2)} ms, p95 ${percentile(t, 95).toFixed(2)} ms, recall@10 mean ${(r.reduce((a, b) => a + b, 0) / r.length).toFixed(3)} min ${Math.min(...r).toFixed(1)}`);
}

// The parts, at the default pool of 200 candidates with ef_search 200.
const dims = (await c.query<{ d: number }>('select dimensions as d from projection where id = 1')).rows[0]!.d;
const ann = `select array_agg(id) as ids from (select id from headlines order by embedding_reduced::halfvec(${dims}) <=> $1::halfvec(${dims}) limit 200) c`;
const project = 'select project_embedding($1::halfvec(512))::text as r';
const rerank = `select id from headlines where id = any($2::bigint[]) order by embedding <=> $1::halfvec(512), id limit 10`;
const parts = { project: [] as number[], ann: [] as number[], rerank: [] as number[], whole: [] as number[] };
for (const { e } of sample) {
  const p = await timed({}, project, [e]);
  parts.project.push(p.ms);
  const a = await timed({ 'hnsw.ef_search': '200' }, ann, [p.rows[0].r]);
  parts.ann.push(a.ms);
  parts.rerank.push((await timed({}, rerank, [e, a.rows[0].ids])).ms);
  parts.whole.push((await timed({}, SEARCH, [e, null, null])).ms);
}
console.log(
  `  parts at 200 candidates, p50: project_embedding ${median(parts.project).toFixed(2)} ms, HNSW top 200 ${median(parts.ann).toFixed(2)} ms, re-rank 200 on 512-d ${median(parts.rerank).toFixed(2)} ms; whole function ${median(parts.whole).toFixed(2)} ms`,
);
console.log(`load average at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await c.end();
printSummary('search-settings', {
  queries: sample.length,
  from: range[0],
  to: range[1],
  pools: POOLS.map((p) => ({ candidates: p, p50Ms: median(times.get(p)!), p95Ms: percentile(times.get(p)!, 95), recallAt10Mean: recalls.get(p)!.reduce((a, b) => a + b, 0) / recalls.get(p)!.length, recallAt10Min: Math.min(...recalls.get(p)!) })),
  partsP50Ms: { project: median(parts.project), ann: median(parts.ann), rerank: median(parts.rerank), whole: median(parts.whole) },
});
