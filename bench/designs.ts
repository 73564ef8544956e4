// npm run bench:designs -- DATABASE_URL [--queries 250] [--only project,reduced,peer,binary]
//   [--peer-ef-construction 64,128,256] [--plot FILE.svg] [--keep]
//
// The search designs side by side on one loaded database (a `headlines ingest` of the real
// model), the same queries for all, in one run. For each: recall@10 against the exact 512-d
// ranking (a row counts when it is as near as the 10th exact row; also id by id), SQL
// p50/p95, the database backend's CPU per query (from /proc, when the server runs on this
// machine), build seconds and index size.
//   project   this project's semantic_search() at 100/150/200/400 candidates (ef_search follows),
//             as analysts call it and as the API does (query_reduced projected in JS),
//             and the same two stages written out with the query projected in JS;
//   reduced   PCA to 96 and 128 dimensions (fitted here on 10,000 stored vectors, kept in a
//             side table bench_reduced with an HNSW index each) + 512-d re-rank;
//   binary    binary_quantize(embedding) in a bit(512) HNSW (Hamming) + 512-d re-rank of
//             200/400/800;
//   peer      pgvector as its users write it: HNSW on the 512-d halfvec itself, no re-rank,
//             ef_search 40/100/200/400, built once per --peer-ef-construction (last: the
//             slowest builds).
// Index builds run with maintenance_work_mem 4GB and one parallel worker (set here, per
// session); queries run with the server's own settings. Designs that share the table are
// timed query by query in turn, so the machine's load falls on them alike; each peer and
// binary index is built, measured and dropped before the next (two HNSW indexes on one
// column would leave the choice to the planner). The queries are the eval sets' queries and
// STS sentences (STS_TSV), embedded by the database's model. Asserts nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { parseConfig } from '../src/config/parse-config.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { readQuerySet } from '../src/eval/read-query-set.ts';
import { readStsPairs } from '../src/eval/read-sts-pairs.ts';
import { silentLogger } from '../src/logger.ts';
import { fitPcaProjection } from '../src/projection/projection-pca.ts';
import { project } from '../src/projection/projection.ts';
import type { Projection } from '../src/shared/projection-types.ts';
import { benchOptions, list, positive, printSummary } from './support/bench-options.ts';
import { median, percentile } from './support/stats.ts';

const { positionals, values: args } = benchOptions({
  queries: { type: 'string', default: '250' },
  only: { type: 'string', default: 'project,reduced,peer,binary' },
  'peer-ef-construction': { type: 'string', default: '64,128,256' },
  plot: { type: 'string' },
  keep: { type: 'boolean', default: false },
});
const url = positionals[0];
if (!url) throw new Error('usage: bench/designs.ts DATABASE_URL [--queries N] [--only project,reduced,peer,binary] [--plot FILE.svg]');
const QUERIES = positive(args.queries, 'queries');
const ONLY = new Set(list(args.only));
const BUILD_SETTINGS = { maintenance_work_mem: '4GB', max_parallel_maintenance_workers: '1' };
const K = 10;

const c = new pg.Client({ connectionString: url });
await c.connect();
const backendPid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
const rows = Number((await c.query<{ n: string }>('select count(*) as n from headlines')).rows[0]!.n);
const model = (await c.query<{ model_id: string; dimensions: number }>('select model_id, dimensions from projection where id = 1')).rows[0]!;
const say = (line: string) => console.log(line);
say(`designs: ${rows} headlines, model ${model.model_id}, stored projection ${model.dimensions}-d; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// ---- queries ---------------------------------------------------------------------------
const texts: string[] = [];
for (const file of ['names', 'topical', 'misspellings']) {
  for (const q of (await readQuerySet(new URL(`../eval/${file}.tsv`, import.meta.url).pathname)).queries) texts.push(q.query);
}
if (process.env.STS_TSV) for (const p of await readStsPairs(process.env.STS_TSV)) texts.push(p.sentence1);
const queryTexts = [...new Set(texts)].slice(0, QUERIES);
if (queryTexts.length < QUERIES) say(`designs: ${queryTexts.length} distinct queries (set STS_TSV for more)`);
const embedder = await createEmbedder(parseConfig({ EMBED_BACKEND: 'wasm' }), silentLogger, 'query');
if (embedder.modelId !== model.model_id) throw new Error(`the database holds ${model.model_id}, this checkout embeds with ${embedder.modelId}`);
const vectors = await embedder.embed(queryTexts);
await embedder.close();
const literal = (v: Float32Array) => `[${Array.from(v, (x) => x.toPrecision(6)).join(',')}]`;
const full = vectors.map(literal);

// ---- exact answers, once per database and query list -------------------------------------
// Headlines repeat (the same text on other days has the same vector), so the exact top 10
// often ends inside a run of equal distances, and which of them it holds is the id order's
// choice. Recall counts a row found when its exact distance is within the 10th exact one,
// as ann-benchmarks counts it; the id-by-id figure is printed beside it.
interface Exact {
  readonly ids: string[];
  readonly kth: number;
  /** Rows past the top 10 at the 10th distance (of the next 20). */
  readonly tiedBeyond: number;
}
const cacheKey = crypto.createHash('sha256').update(`${url}\n${rows}\n${queryTexts.join('\n')}`).digest('hex').slice(0, 16);
const cacheFile = path.join(os.tmpdir(), `hs-designs-exact-v2-${cacheKey}.json`);
let truth: Exact[];
if (fs.existsSync(cacheFile)) truth = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
else {
  const started = performance.now();
  truth = [];
  for (const q of full) {
    await c.query('begin');
    await c.query(`set local enable_indexscan = off; set local enable_bitmapscan = off`);
    const { rows: top } = await c.query<{ id: string; d: number }>(`select id, (embedding <=> $1::halfvec(512))::float8 as d from headlines order by embedding <=> $1::halfvec(512), id limit ${K + 20}`, [q]);
    const kth = top[K - 1]!.d;
    truth.push({ ids: top.slice(0, K).map((r) => r.id), kth, tiedBeyond: top.slice(K).filter((r) => r.d <= kth).length });
    await c.query('commit');
  }
  fs.writeFileSync(cacheFile, JSON.stringify(truth));
  say(`designs: exact 512-d top ${K} of ${full.length} queries by full scan in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
const tiedAtTenth = truth.filter((t) => t.tiedBeyond > 0).length;
say(`designs: ${tiedAtTenth} of ${truth.length} queries have rows outside their exact top ${K} at its ${K}th distance`);

/** How many of `ids` are within the query's 10th exact distance (exact distances computed here, untimed). */
async function hits(i: number, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows: found } = await c.query<{ n: string }>(
    `select count(*) as n from headlines where id = any($1::bigint[]) and (embedding <=> $2::halfvec(512))::float8 <= $3`,
    [ids, full[i], truth[i]!.kth + 1e-9]);
  return Number(found[0]!.n);
}

// ---- measuring ---------------------------------------------------------------------------
interface Design {
  /** Points of one family are joined by a line in the plot. */
  readonly family: string;
  readonly label: string;
  readonly settings: Record<string, string>;
  readonly sql: string;
  readonly params: (i: number) => unknown[];
}
interface Result {
  readonly family: string;
  readonly label: string;
  p50Ms: number;
  p95Ms: number;
  recallAt10: number;
  /** Rows of the exact top 10 itself, id by id (ties broken by id). */
  idRecallAt10: number;
  cpuMsPerQuery: number | null;
  buildSeconds?: number;
  indexMB?: number;
}
const results: Result[] = [];
const TICK_MS = 1000 / 100; // USER_HZ

/** The backend's CPU (user + system) so far, in ms, or null when it is not on this machine. */
function backendCpuMs(): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${backendPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

async function run(d: Design, i: number): Promise<{ ms: number; ids: string[]; cpu: number | null }> {
  await c.query('begin');
  for (const [name, value] of Object.entries(d.settings)) await c.query('select set_config($1, $2, true)', [name, value]);
  const cpu0 = backendCpuMs();
  const started = performance.now();
  const { rows: found } = await c.query<{ id: string }>(d.sql, d.params(i));
  const ms = performance.now() - started;
  const cpu1 = backendCpuMs();
  await c.query('commit');
  return { ms, ids: found.map((r) => String(r.id)), cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
}

/** Every design once per query, in turn, after one warm-up pass over the first few queries. */
async function measure(designs: readonly Design[], extra: Partial<Result> = {}): Promise<void> {
  await measureAll(designs, extra);
  // A long run leaves its plot as it goes, so what was measured survives an interrupted run.
  if (args.plot) fs.writeFileSync(args.plot, plot(results, subtitle()));
}

async function measureAll(designs: readonly Design[], extra: Partial<Result>): Promise<void> {
  for (let i = 0; i < Math.min(5, full.length); i++) for (const d of designs) await run(d, i);
  const times = designs.map(() => [] as number[]);
  const found = designs.map(() => 0);
  const sameIds = designs.map(() => 0);
  const cpu = designs.map(() => 0 as number | null);
  for (let i = 0; i < full.length; i++) {
    const exact = new Set(truth[i]!.ids);
    for (const [j, d] of designs.entries()) {
      const r = await run(d, i);
      times[j]!.push(r.ms);
      found[j]! += await hits(i, r.ids.slice(0, K));
      sameIds[j]! += r.ids.filter((id) => exact.has(id)).length;
      cpu[j] = cpu[j] === null || r.cpu === null ? null : cpu[j]! + r.cpu;
    }
  }
  for (const [j, d] of designs.entries()) {
    const result: Result = {
      family: d.family,
      label: d.label,
      p50Ms: round(median(times[j]!)),
      p95Ms: round(percentile(times[j]!, 95)),
      recallAt10: Number((found[j]! / (full.length * K)).toFixed(4)),
      idRecallAt10: Number((sameIds[j]! / (full.length * K)).toFixed(4)),
      cpuMsPerQuery: cpu[j] === null ? null : round(cpu[j]! / full.length),
      ...extra,
    };
    results.push(result);
    say(`  ${d.label.padEnd(44)} recall@10 ${result.recallAt10.toFixed(3)} (ids ${result.idRecallAt10.toFixed(3)})  p50 ${result.p50Ms.toFixed(2)} ms  p95 ${result.p95Ms.toFixed(2)} ms  CPU ${result.cpuMsPerQuery ?? '?'} ms/query`);
  }
}

const round = (x: number) => Number(x.toFixed(2));
const ef = (pool: number) => String(Math.min(1000, Math.max(40, pool)));

async function build(ddl: string, index: string): Promise<{ buildSeconds: number; indexMB: number }> {
  await c.query(`drop index if exists ${index}`);
  for (const [name, value] of Object.entries(BUILD_SETTINGS)) await c.query(`set ${name} = '${value}'`);
  const started = performance.now();
  await c.query(ddl);
  const buildSeconds = round((performance.now() - started) / 1000);
  for (const name of Object.keys(BUILD_SETTINGS)) await c.query(`reset ${name}`);
  const indexMB = round(Number((await c.query<{ b: string }>(`select pg_relation_size('${index}') as b`)).rows[0]!.b) / 2 ** 20);
  say(`  built ${index} in ${buildSeconds} s, ${indexMB} MB`);
  return { buildSeconds, indexMB };
}

/** The two stages written out: candidates from `ann` (ORDER BY … LIMIT $2), re-ranked on the full vectors. */
const twoStage = (ann: string) => `
  with c as materialized (${ann})
  select h.id from headlines h where h.id in (select id from c)
  order by h.embedding <=> $1::halfvec(512), h.id limit ${K}`;

// ---- the project's design, as shipped and with the query projected in JS ------------------
const storedIndex = (await c.query<{ name: string; mb: string }>(
  `select i.indexrelid::regclass::text as name, pg_relation_size(i.indexrelid) / 1048576.0 as mb
   from pg_index i join pg_class x on x.oid = i.indexrelid join pg_am a on a.oid = x.relam
   where i.indrelid = 'headlines'::regclass and a.amname = 'hnsw'`)).rows[0];
if (ONLY.has('project')) {
  say(`project: semantic_search(), ${model.dimensions}-d PCA HNSW (${storedIndex?.name ?? 'no index'}, ${Number(storedIndex?.mb ?? 0).toFixed(0)} MB) + 512-d re-rank`);
  const stored = await loadStoredProjection();
  const reduced = vectors.map((v) => literal(project(stored, v)));
  const dims = model.dimensions;
  const designs: Design[] = [];
  for (const pool of [100, 150, 200, 400]) {
    designs.push({ family: 'project', label: `semantic_search, ${pool} candidates`, settings: { 'headline_search.candidates': String(pool) }, sql: `select id from semantic_search($1::halfvec(512), ${K})`, params: (i) => [full[i]] });
    // What the API runs: the query projected in JS, passed as query_reduced (migration 0015).
    designs.push({ family: 'project (API)', label: `semantic_search with query_reduced, ${pool} candidates`, settings: { 'headline_search.candidates': String(pool) }, sql: `select id from semantic_search($1::halfvec(512), ${K}, null, null, $2::halfvec)`, params: (i) => [full[i], reduced[i]] });
    designs.push({
      family: 'project (JS)',
      label: `${dims}-d query projected in JS, ${pool} candidates`,
      settings: { 'hnsw.ef_search': ef(pool) },
      sql: twoStage(`select id from headlines order by embedding_reduced::halfvec(${dims}) <=> $2::halfvec(${dims}) limit ${pool}`),
      params: (i) => [full[i], reduced[i]],
    });
  }
  await measure(designs, { indexMB: round(Number(storedIndex?.mb ?? 0)) });
}

// ---- wider PCA projections ---------------------------------------------------------------
if (ONLY.has('reduced')) {
  say('reduced: PCA to 96 and 128 dimensions in bench_reduced, HNSW (m 16, ef_construction 64) each, 512-d re-rank');
  const sample = (await c.query<{ e: string }>('select embedding::text as e from headlines order by id limit 10000')).rows.map((r) => Float32Array.from(JSON.parse(r.e) as number[]));
  const p128 = await fitPcaProjection(sample, 128);
  const p96: Projection = { ...p128, dimensions: 96, basis: p128.basis.slice(0, 96) };
  const filled = Number((await c.query<{ n: string }>(`select count(*) as n from pg_class where relname = 'bench_reduced'`)).rows[0]!.n) > 0
    && Number((await c.query<{ n: string }>('select count(*) as n from bench_reduced')).rows[0]!.n) === rows;
  if (!filled) await fillReduced(p96, p128);
  const builds = {
    96: await build('create index bench_reduced_96 on bench_reduced using hnsw (r96 halfvec_cosine_ops) with (m = 16, ef_construction = 64)', 'bench_reduced_96'),
    128: await build('create index bench_reduced_128 on bench_reduced using hnsw (r128 halfvec_cosine_ops) with (m = 16, ef_construction = 64)', 'bench_reduced_128'),
  };
  const r96 = vectors.map((v) => literal(project(p96, v)));
  const r128 = vectors.map((v) => literal(project(p128, v)));
  for (const dims of [96, 128] as const) {
    const designs: Design[] = [50, 100, 200].map((pool) => ({
      family: dims === 96 ? 'reduced 96' : 'reduced 128',
      label: `${dims}-d PCA, ${pool} candidates`,
      settings: { 'hnsw.ef_search': ef(pool) },
      sql: twoStage(`select id from bench_reduced order by r${dims} <=> $2::halfvec(${dims}) limit ${pool}`),
      params: (i) => [full[i], (dims === 96 ? r96 : r128)[i]],
    }));
    await measure(designs, builds[dims]);
  }
  if (!args.keep) await c.query('drop table bench_reduced');
}

// ---- binary quantization + re-rank ----------------------------------------------------------
if (ONLY.has('binary')) {
  say('binary: binary_quantize(embedding)::bit(512) HNSW (Hamming, m 16, ef_construction 64) + 512-d re-rank');
  const built = await build(
    'create index bench_binary on headlines using hnsw ((binary_quantize(embedding)::bit(512)) bit_hamming_ops) with (m = 16, ef_construction = 64)',
    'bench_binary',
  );
  const designs: Design[] = [200, 400, 800].map((pool) => ({
    family: 'binary',
    label: `binary HNSW, re-rank ${pool}`,
    settings: { 'hnsw.ef_search': ef(pool) },
    sql: twoStage(`select id from headlines order by binary_quantize(embedding)::bit(512) <~> binary_quantize($1::halfvec(512)) limit ${pool}`),
    params: (i) => [full[i]],
  }));
  await measure(designs, built);
  if (!args.keep) await c.query('drop index bench_binary');
}
// ---- the peer: HNSW on the 512-d vectors --------------------------------------------------
if (ONLY.has('peer')) {
  for (const efc of list(args['peer-ef-construction']).map(Number)) {
    say(`peer: HNSW on embedding halfvec(512), m 16, ef_construction ${efc}, no re-rank`);
    const built = await build(`create index bench_peer on headlines using hnsw (embedding halfvec_cosine_ops) with (m = 16, ef_construction = ${efc})`, 'bench_peer');
    const designs: Design[] = [40, 100, 200, 400].map((efSearch) => ({
      family: `peer, ef_construction ${efc}`,
      label: `peer, ef_construction ${efc}, ef_search ${efSearch}`,
      settings: { 'hnsw.ef_search': String(efSearch) },
      sql: `select id from headlines order by embedding <=> $1::halfvec(512) limit ${K}`,
      params: (i) => [full[i]],
    }));
    await measure(designs, built);
    await c.query('drop index bench_peer');
  }
}

await c.end();

// ---- the front and the plot -----------------------------------------------------------------
const eligible = results.filter((r) => r.recallAt10 >= 0.97).sort((a, b) => a.p50Ms - b.p50Ms);
say(eligible.length > 0 ? `fastest at recall@10 >= 0.97: ${eligible[0]!.label} (${eligible[0]!.p50Ms} ms, ${eligible[0]!.recallAt10})` : 'no design reached recall@10 0.97');
if (args.plot) {
  fs.writeFileSync(args.plot, plot(results, subtitle()));
  say(`plot: ${args.plot}`);
}
printSummary('designs', { headlines: rows, queries: full.length, results });

function subtitle(): string {
  return `${rows.toLocaleString('en')} headlines, ${full.length} queries, ${new Date().toISOString().slice(0, 10)}`;
}

async function loadStoredProjection(): Promise<Projection> {
  const row = (await c.query<{ mean: string | null; dimensions: number }>('select mean::text as mean, dimensions from projection where id = 1')).rows[0]!;
  const basis = (await c.query<{ d: string }>('select direction::text as d from projection_basis order by component')).rows.map((r) => Float32Array.from(JSON.parse(r.d) as number[]));
  return { kind: 'pca', inputDimensions: 512, dimensions: row.dimensions, mean: row.mean ? Float32Array.from(JSON.parse(row.mean) as number[]) : null, basis, params: {}, version: 1 };
}

/** bench_reduced(id, r96, r128): every stored vector projected in JS, streamed out and back in. */
async function fillReduced(p96: Projection, p128: Projection): Promise<void> {
  const started = performance.now();
  await c.query('drop table if exists bench_reduced');
  await c.query('create unlogged table bench_reduced (id bigint primary key, r96 halfvec(96) not null, r128 halfvec(128) not null)');
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  try {
    const out = reader.query(copyTo('copy (select id, embedding from headlines) to stdout'));
    const into = c.query(copyFrom('copy bench_reduced (id, r96, r128) from stdin'));
    let rest = '';
    const projectLines = new Transform({
      transform(chunk: Buffer, _enc, done) {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop()!;
        let text = '';
        for (const line of lines) {
          const tab = line.indexOf('\t');
          const v = Float32Array.from(JSON.parse(line.slice(tab + 1)) as number[]);
          text += `${line.slice(0, tab)}\t${literal(project(p96, v))}\t${literal(project(p128, v))}\n`;
        }
        done(null, text);
      },
    });
    await pipeline(out, projectLines, into);
  } finally {
    await reader.end();
  }
  await c.query('analyze bench_reduced');
  say(`  bench_reduced filled in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Recall against p50, one point per setting, one colour per family; SVG by hand (no plotting library here). */
function plot(points: readonly Result[], subtitle: string): string {
  const W = 760;
  const H = 480;
  const M = { l: 70, r: 230, t: 50, b: 55 };
  const xs = points.map((p) => p.p50Ms);
  const xMax = Math.ceil(Math.max(...xs, 1) * 1.1);
  const yMin = Math.min(0.85, Math.floor(Math.min(...points.map((p) => p.recallAt10)) * 50) / 50);
  const x = (v: number) => M.l + (v / xMax) * (W - M.l - M.r);
  const y = (v: number) => H - M.b - ((v - yMin) / (1 - yMin)) * (H - M.t - M.b);
  const families = [...new Set(points.map((p) => p.family))];
  const palette = ['#1f77b4', '#17becf', '#2ca02c', '#bcbd22', '#d62728', '#ff7f0e', '#8c564b', '#9467bd'];
  const colours = Object.fromEntries(families.map((f, i) => [f, palette[i % palette.length]!]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.l}" y="22" font-size="15">Recall@10 against p50 latency (SQL)</text>`,
    `<text x="${M.l}" y="40" fill="#555">${subtitle}</text>`,
    `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="black"/>`,
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="black"/>`,
    `<line x1="${M.l}" y1="${y(0.97)}" x2="${W - M.r}" y2="${y(0.97)}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${W - M.r - 4}" y="${y(0.97) - 4}" text-anchor="end" fill="#777">recall 0.97</text>`,
    `<text x="${(M.l + W - M.r) / 2}" y="${H - 15}" text-anchor="middle">p50 ms</text>`,
    `<text x="18" y="${(M.t + H - M.b) / 2}" transform="rotate(-90 18 ${(M.t + H - M.b) / 2})" text-anchor="middle">recall@10</text>`,
  ];
  for (let t = 0; t <= xMax; t += Math.max(1, Math.round(xMax / 10))) parts.push(`<text x="${x(t)}" y="${H - M.b + 16}" text-anchor="middle">${t}</text>`);
  for (let t = Math.ceil(yMin * 50) / 50; t <= 1.0001; t += 0.02) parts.push(`<text x="${M.l - 8}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`);
  for (const family of families) {
    const series = points.filter((p) => p.family === family).sort((a, b) => a.p50Ms - b.p50Ms);
    const colour = colours[family] ?? 'black';
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-opacity="0.5" points="${series.map((p) => `${x(p.p50Ms)},${y(p.recallAt10)}`).join(' ')}"/>`);
    for (const p of series) parts.push(`<circle cx="${x(p.p50Ms)}" cy="${y(p.recallAt10)}" r="4" fill="${colour}"><title>${p.label}: ${p.p50Ms} ms, ${p.recallAt10}</title></circle>`);
  }
  families.forEach((family, i) => {
    parts.push(`<circle cx="${W - M.r + 20}" cy="${M.t + 10 + i * 20}" r="5" fill="${colours[family] ?? 'black'}"/>`);
    parts.push(`<text x="${W - M.r + 32}" y="${M.t + 14 + i * 20}">${family}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
