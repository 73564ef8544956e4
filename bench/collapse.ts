// npm run bench:collapse — what COLLAPSE_SIMILARITY 0.90, 0.95 and 0.98 merge on real pairs
// of the 98,908-row sample with the real model: (1) how many headlines have a nearest
// neighbour at or above each threshold, with examples from each band; (2) how many of the
// top 30 results of real queries fold at each threshold. Prints figures; asserts nothing.
// BENCH_CORPUS_URL: a database already loaded with the sample (USE-lite) and migrated.
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { collapseRanking } from '../src/search/collapse-ranking.ts';
import { benchFile } from './support/reference-files.ts';
import { benchOptions, printSummary } from './support/bench-options.ts';

benchOptions({});
const THRESHOLDS = [0.9, 0.95, 0.98];
const url = process.env.BENCH_CORPUS_URL ?? 'postgres://postgres@127.0.0.1:5432/hs_bench_corpus';
const db = new pg.Client({ connectionString: url });
await db.connect();
console.log(`bench:collapse  ${url.replace(/\/\/[^@]*@/, '//')}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// (1) Nearest neighbours of every 50th headline.
const { rows: nn } = await db.query<{ id: string; date: string; text: string; nid: string; ndate: string; ntext: string; similarity: number }>(`
  select h.id, h.published_on::text as date, h.text, s.id as nid, s.published_on::text as ndate, s.text as ntext, s.similarity
  from headlines h cross join lateral similar_headlines(h.id, 1) s
  where h.id % 50 = 0`);
console.log(`nearest neighbour of ${nn.length} headlines (every 50th id):`);
for (const t of THRESHOLDS) {
  const n = nn.filter((r) => r.similarity >= t).length;
  console.log(`  at or above ${t.toFixed(2)}: ${n} (${((100 * n) / nn.length).toFixed(1)}%)`);
}
const bands = [[0.9, 0.95], [0.95, 0.98], [0.98, 1.01]] as const;
for (const [lo, hi] of bands) {
  const examples = nn.filter((r) => r.similarity >= lo && r.similarity < hi).sort((a, b) => Number(a.id) - Number(b.id)).slice(0, 5);
  console.log(`  examples ${lo.toFixed(2)}-${Math.min(hi, 1).toFixed(2)}:`);
  for (const e of examples) console.log(`    ${e.similarity.toFixed(3)}  ${e.date} "${e.text}"  ~  ${e.ndate} "${e.ntext}"`);
}

// (2) Real queries: altered headlines (first word dropped), as bench:query uses them.
const lines = fs.readFileSync(benchFile('HEADLINES_SAMPLE_CSV'), 'utf8').trim().split('\n').slice(1);
const queries = lines.filter((_, i) => i % 7 === 3).map((l) => l.slice(9).split(' ').slice(1).join(' ')).filter((q) => q.split(' ').length >= 3).slice(4000, 4100);
const embedder = await createEmbedder(parseConfig({}), silentLogger, 'query');
const folded = new Map(THRESHOLDS.map((t) => [t, [] as number[]]));
for (const q of queries) {
  const [v] = await embedder.embed([q]);
  const { rows } = await db.query<{ id: string }>('select id from semantic_search($1::halfvec(512), 30) order by rank', [toVectorLiteral(v!)]);
  for (const t of THRESHOLDS) {
    const { rows: pairs } = await db.query<{ earlier_position: number; later_position: number; similarity: number }>('select * from near_duplicate_pairs($1::bigint[], $2)', [rows.map((r) => r.id), t]);
    const groups = collapseRanking(rows, pairs.map((p) => ({ earlier: p.earlier_position - 1, later: p.later_position - 1, similarity: p.similarity })));
    folded.get(t)!.push(rows.length - groups.length);
  }
}
await embedder.close();
console.log(`top 30 semantic results of ${queries.length} queries (altered headlines):`);
for (const t of THRESHOLDS) {
  const f = folded.get(t)!;
  console.log(`  threshold ${t.toFixed(2)}: ${f.reduce((a, b) => a + b, 0)} of ${30 * queries.length} results folded; queries with any fold ${f.filter((n) => n > 0).length}; most in one query ${Math.max(...f)}`);
}
await db.end();
printSummary('collapse', {
  nearestNeighbours: nn.length,
  nearestAtOrAbove: Object.fromEntries(THRESHOLDS.map((t) => [t, nn.filter((r) => r.similarity >= t).length])),
  queries: queries.length,
  foldedOfTop30: Object.fromEntries(THRESHOLDS.map((t) => [t, folded.get(t)!.reduce((a, b) => a + b, 0)])),
});
