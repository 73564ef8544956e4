import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { insertProjection } from '../src/db/projection-repository.ts';
import type { DB } from '../src/db/schema.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { gaussianProjection } from '../src/projection/projection-gaussian.ts';
import { project } from '../src/projection/projection.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const N = 600;
const vectors = randomUnitVectors(N, 512, 23);
const projection = gaussianProjection(512, 16, 5);
const dateOf = (i: number) => `2010-01-${String((i % 30) + 1).padStart(2, '0')}`;
// Words with known populations; "delta gamma" (reversed) must not match the phrase "gamma delta".
const textOf = (i: number) =>
  [
    `the item ${i} of the list`,
    i % 7 === 0 ? 'alpha' : '',
    i % 11 === 0 ? 'beta' : '',
    i % 13 === 0 ? 'gamma delta' : i % 13 === 1 ? 'delta gamma' : '',
    i % 50 === 3 ? 'latham' : '',
    i % 5 === 0 ? 'alpha alpha' : '',
  ].filter(Boolean).join(' ');

interface Row {
  id: string;
  published_on: string;
  text: string;
  similarity: number;
  rank: number;
  score: number;
  semantic_rank: number | null;
  keyword_rank: number | null;
}

interface Settings {
  depth: number;
  rrfK: number;
  weight: number;
}
const DEFAULTS: Settings = { depth: 200, rrfK: 60, weight: 2 };

describeEachDatabase('hybrid_search, keyword_search, matched_terms', (get) => {
  let ids: string[] = [];
  const db = (): Kysely<DB> => get().database.db;

  before(async () => {
    await insertProjection(db(), 'test-model', projection);
    const inserted = await db()
      .insertInto('headlines')
      .values(vectors.map((v, i) => ({ published_on: dateOf(i), text: textOf(i), embedding: toVectorLiteral(v), embedding_reduced: toVectorLiteral(project(projection, v)) })))
      .returning('id')
      .execute();
    ids = inserted.map((r) => r.id);
  });

  /** One call with tunables set for its transaction only. */
  async function call(fn: 'hybrid_search' | 'keyword_search', text: string | null, q: Float32Array | null, k: number, from: string | null = null, to: string | null = null, settings: Partial<Settings> = {}): Promise<Row[]> {
    return db().transaction().execute(async (trx) => {
      if (settings.depth !== undefined) await sql`select set_config('headline_search.fusion_depth', ${String(settings.depth)}, true)`.execute(trx);
      if (settings.rrfK !== undefined) await sql`select set_config('headline_search.rrf_k', ${String(settings.rrfK)}, true)`.execute(trx);
      if (settings.weight !== undefined) await sql`select set_config('headline_search.keyword_weight', ${String(settings.weight)}, true)`.execute(trx);
      const vector = q ? toVectorLiteral(q) : null;
      const { rows } = await sql<Row>`select * from ${sql.raw(fn)}(${text}, ${vector}::halfvec(512), ${k}, ${from}::date, ${to}::date) order by rank`.execute(trx);
      return rows;
    });
  }

  /** The building blocks from the database (distance, text match and rank), for a reference computed here. */
  async function corpus(text: string, q: Float32Array) {
    const { rows } = await sql<{ id: string; published_on: string; distance: number; matches: boolean; excluded: boolean; text_rank: number }>`
      select id, published_on, (embedding <=> ${toVectorLiteral(q)}::halfvec(512))::double precision as distance,
             coalesce(text_search @@ headline_words_query(${text}), false) as matches,
             coalesce(text_search @@ headline_words_query(headline_excluded_words(${text})), false) as excluded,
             coalesce(ts_rank_cd(text_search, headline_words_query(${text})), 0)::double precision as text_rank
      from headlines`.execute(db());
    return rows;
  }

  /** Weighted RRF as documented in migration 0006, computed independently of its SQL. */
  async function reference(text: string, q: Float32Array, k: number, from: string | null, to: string | null, s: Settings) {
    const rows = (await corpus(text, q)).filter((r) => (!from || r.published_on >= from) && (!to || r.published_on <= to) && !r.excluded);
    const byId = (a: { id: string }, b: { id: string }) => Number(BigInt(a.id) - BigInt(b.id));
    const semantic = [...rows].sort((a, b) => a.distance - b.distance || byId(a, b));
    const keyword = rows.filter((r) => r.matches).sort((a, b) => b.text_rank - a.text_rank || a.distance - b.distance || byId(a, b)).slice(0, s.depth);
    const semRank = new Map(semantic.map((r, i) => [r.id, i + 1]));
    const kwRank = new Map(keyword.map((r, i) => [r.id, i + 1]));
    const pool = new Set([...semantic.slice(0, Math.max(s.depth, k)).map((r) => r.id), ...keyword.map((r) => r.id)]);
    const scored = rows
      .filter((r) => pool.has(r.id))
      .map((r) => {
        const sr = semRank.get(r.id)!;
        const kr = kwRank.get(r.id) ?? null;
        const beyond = sr > s.depth && kr === null;
        const score = beyond ? 1 / (s.rrfK + sr) : (sr <= s.depth ? 1 / (s.rrfK + sr) : 0) + (kr !== null ? s.weight / (s.rrfK + kr) : 0);
        return { id: r.id, similarity: 1 - r.distance, beyond, score, semantic_rank: sr <= s.depth || beyond ? sr : null, keyword_rank: kr };
      })
      .sort((a, b) => Number(a.beyond) - Number(b.beyond) || b.score - a.score || b.similarity - a.similarity || byId(a, b));
    return scored.slice(0, k);
  }

  test('keyword_search: the rows with the word, best text rank first, ties by similarity then id; k, dates', async () => {
    const q = randomUnitVectors(1, 512, 3)[0]!;
    const rows = await call('keyword_search', 'alpha', q, 200);
    const expected = ids.filter((_, i) => i % 7 === 0 || i % 5 === 0);
    assert.deepEqual(rows.map((r) => r.id).sort(), [...expected].sort());
    assert.deepEqual(rows.map((r) => r.rank), rows.map((_, i) => i + 1));
    assert.deepEqual(rows.map((r) => r.keyword_rank), rows.map((_, i) => i + 1));
    assert.ok(rows.every((r) => r.semantic_rank === null));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      assert.ok(a.score > b.score || (a.score === b.score && (a.similarity > b.similarity || (a.similarity === b.similarity && BigInt(a.id) < BigInt(b.id)))), `order at ${i}`);
    }
    // "alpha alpha" (i % 5 === 0) mentions the word more often and ranks above a single mention.
    const twice = new Set(ids.filter((_, i) => i % 5 === 0));
    const firstSingle = rows.findIndex((r) => !twice.has(r.id));
    assert.ok(rows.slice(firstSingle).every((r) => !twice.has(r.id)));
    assert.deepEqual((await call('keyword_search', 'alpha', q, 7)).map((r) => r.id), rows.slice(0, 7).map((r) => r.id));
    const inRange = await call('keyword_search', 'alpha', q, 200, '2010-01-03', '2010-01-09');
    assert.deepEqual(inRange.map((r) => r.id).sort(), ids.filter((_, i) => (i % 7 === 0 || i % 5 === 0) && dateOf(i) >= '2010-01-03' && dateOf(i) <= '2010-01-09').sort());
    // Without an embedding, similarity is unknown and ties go to the id.
    const noVector = await call('keyword_search', 'beta', null, 5);
    assert.deepEqual(noVector.map((r) => r.id), ids.filter((_, i) => i % 11 === 0).slice(0, 5));
    assert.ok(noVector.every((r) => r.similarity === null));
  });

  test('keyword_search: web-search syntax (phrase, -word, or); stop words alone find nothing, without a NOTICE', async () => {
    const q = randomUnitVectors(1, 512, 4)[0]!;
    const phrase = await call('keyword_search', '"gamma delta"', q, 600);
    assert.deepEqual(phrase.map((r) => r.id).sort(), ids.filter((_, i) => i % 13 === 0).sort());
    const both = await call('keyword_search', 'gamma delta', q, 600);
    assert.deepEqual(both.map((r) => r.id).sort(), ids.filter((_, i) => i % 13 <= 1).sort());
    const without = await call('keyword_search', 'alpha -beta', q, 600);
    assert.deepEqual(without.map((r) => r.id).sort(), ids.filter((_, i) => (i % 7 === 0 || i % 5 === 0) && i % 11 !== 0).sort());
    const either = await call('keyword_search', 'latham or beta', q, 600);
    assert.deepEqual(either.map((r) => r.id).sort(), ids.filter((_, i) => i % 50 === 3 || i % 11 === 0).sort());
    const client = await get().database.pool.connect();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      for (const text of ['the of and', '   ', '-- "" ...', '-alpha']) {
        const { rows } = await client.query('select * from keyword_search($1, null, 10)', [text]);
        assert.equal(rows.length, 0, text);
      }
      const { rows } = await client.query('select * from hybrid_search($1, $2::halfvec(512), 3)', ['the of', toVectorLiteral(q)]);
      assert.equal(rows.length, 3);
    } finally {
      client.release();
    }
    assert.deepEqual(notices, []);
  });

  test('hybrid_search equals weighted RRF computed independently (queries, date ranges, k across the fused depth, tunables)', async () => {
    const queries = randomUnitVectors(3, 512, 77);
    const cases: Array<[string, Float32Array, string | null, string | null, Partial<Settings>]> = [
      ['alpha', queries[0]!, null, null, {}],
      ['latham', queries[1]!, null, null, { depth: 20 }],
      ['gamma delta', queries[2]!, '2010-01-05', '2010-01-20', { depth: 15, rrfK: 10 }],
      ['beta -alpha', vectors[11]!, null, '2010-01-12', { depth: 25, weight: 1 }],
      ['"gamma delta" or latham', queries[0]!, '2010-01-02', null, { depth: 10, rrfK: 100, weight: 1.5 }],
    ];
    for (const [text, q, from, to, settings] of cases) {
      const s = { ...DEFAULTS, ...settings };
      for (const k of [1, 10, 40]) {
        const rows = await call('hybrid_search', text, q, k, from, to, settings);
        const expected = await reference(text, q, k, from, to, s);
        const label = `${text} k=${k} ${from}..${to} ${JSON.stringify(settings)}`;
        assert.deepEqual(rows.map((r) => r.id), expected.map((r) => r.id), label);
        assert.deepEqual(rows.map((r) => r.rank), rows.map((_, i) => i + 1), label);
        assert.deepEqual(rows.map((r) => [r.semantic_rank, r.keyword_rank]), expected.map((r) => [r.semantic_rank, r.keyword_rank]), label);
        rows.forEach((r, i) => {
          assert.ok(Math.abs(r.score - expected[i]!.score) < 1e-12, `${label}: score ${r.score} vs ${expected[i]!.score}`);
          assert.ok(Math.abs(r.similarity - expected[i]!.similarity) < 1e-12, label);
        });
      }
    }
  });

  test('a smaller k is a prefix of a larger one, across the end of the fused rows', async () => {
    const q = randomUnitVectors(1, 512, 8)[0]!;
    for (const [from, to] of [[null, null], ['2010-01-04', '2010-01-25']] as const) {
      const deep = await call('hybrid_search', 'alpha -latham', q, 120, from, to, { depth: 30 });
      assert.equal(deep.length, 120);
      assert.ok(deep.some((r) => r.keyword_rank === null && r.semantic_rank! > 30), 'reaches past the fused rows');
      for (const k of [5, 31, 55, 61, 119]) {
        assert.deepEqual((await call('hybrid_search', 'alpha -latham', q, k, from, to, { depth: 30 })).map((r) => r.id), deep.slice(0, k).map((r) => r.id), `k=${k}`);
      }
      for (let i = 1; i < deep.length; i++) assert.ok(deep[i - 1]!.score >= deep[i]!.score, `score descends at ${i}`);
    }
  });

  test('date ranges and exclusions: never a row outside or excluded, never short while rows remain', async () => {
    const q = randomUnitVectors(1, 512, 9)[0]!;
    // 20 rows a day; "alpha" and "beta" are on some of them.
    for (const settings of [{}, { 'headline_search.exact_scan_rows': '0' }] as Array<Record<string, string>>) {
      const rows = await db().transaction().execute(async (trx) => {
        for (const [name, value] of Object.entries(settings)) await sql`select set_config(${name}, ${value}, true)`.execute(trx);
        return (await sql<Row>`select * from hybrid_search('alpha -beta', ${toVectorLiteral(q)}::halfvec(512), 100, '2010-01-05', '2010-01-07') order by rank`.execute(trx)).rows;
      });
      const eligible = ids.filter((_, i) => dateOf(i) >= '2010-01-05' && dateOf(i) <= '2010-01-07' && i % 11 !== 0);
      assert.equal(rows.length, eligible.length, JSON.stringify(settings));
      assert.deepEqual(rows.map((r) => r.id).sort(), [...eligible].sort());
      assert.ok(rows.every((r) => !/\bbeta\b/.test(r.text)));
    }
    const wide = await call('hybrid_search', 'latham', q, 300, '2010-01-01', '2010-01-20');
    assert.equal(wide.length, 300);
    assert.ok(wide.every((r) => r.published_on >= '2010-01-01' && r.published_on <= '2010-01-20'));
    const lathams = ids.filter((_, i) => i % 50 === 3 && dateOf(i) <= '2010-01-20');
    assert.deepEqual(wide.slice(0, lathams.length).map((r) => r.id).sort(), [...lathams].sort(), 'the name first');
  });

  test('nothing to match in the text (stop words, punctuation): the semantic ranking itself', async () => {
    const q = randomUnitVectors(1, 512, 10)[0]!;
    const { rows: semantic } = await sql<Row>`select * from semantic_search(${toVectorLiteral(q)}::halfvec(512), 25) order by rank`.execute(db());
    for (const text of ['the of and', '?!', '', null]) {
      const rows = await call('hybrid_search', text, q, 25);
      assert.deepEqual(rows.map((r) => r.id), semantic.map((r) => r.id), String(text));
      rows.forEach((r, i) => {
        assert.equal(r.keyword_rank, null);
        assert.equal(r.semantic_rank, i + 1);
        assert.ok(Math.abs(r.score - 1 / (60 + i + 1)) < 1e-15);
        assert.equal(r.similarity, semantic[i]!.similarity);
      });
    }
  });

  test('matched_terms: the query words found in the headline, in query order, stop words and -words left out', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['latham and the budget', 'budget blow for latham', ['latham', 'budget']],
      ['"bin laden" tape', 'new bin laden tape aired', ['bin', 'laden', 'tape']],
      ['cricket -warne', 'warne back for cricket', ['cricket']],
      ['rudd or gillard', 'gillard wins vote', ['gillard']],
      ['the of', 'the state of play', []],
      ['floods', 'flooding rains', []],
      ['Latham  LATHAM', 'latham', ['latham']],
    ];
    for (const [query, headline, expected] of cases) {
      const { rows } = await sql<{ m: string[] }>`select matched_terms(${query}, ${headline}) as m`.execute(db());
      assert.deepEqual(rows[0]!.m, expected, `${query} / ${headline}`);
    }
  });

  test('search_by_query in each mode equals the function of that mode; hybrid is the default; a bad mode is an error', async () => {
    const q = vectors[42]!;
    const { rows: inserted } = await sql<{ id: string }>`insert into search_queries (text, embedding, embedded_at) values ('alpha -beta', ${toVectorLiteral(q)}::halfvec(512), now()) returning id`.execute(db());
    const id = inserted[0]!.id;
    const byQuery = async (mode: string | null) =>
      (mode === null
        ? await sql<Row>`select * from search_by_query(${id}::bigint, 15, '2010-01-02'::date, null) order by rank`.execute(db())
        : await sql<Row>`select * from search_by_query(${id}::bigint, 15, '2010-01-02'::date, null, ${mode}) order by rank`.execute(db())
      ).rows;
    assert.deepEqual(await byQuery(null), await call('hybrid_search', 'alpha -beta', q, 15, '2010-01-02'));
    assert.deepEqual(await byQuery('hybrid'), await call('hybrid_search', 'alpha -beta', q, 15, '2010-01-02'));
    assert.deepEqual(await byQuery('keyword'), await call('keyword_search', 'alpha -beta', q, 15, '2010-01-02'));
    const { rows: semantic } = await sql<Row>`select * from semantic_search(${toVectorLiteral(q)}::halfvec(512), 15, '2010-01-02'::date) order by rank`.execute(db());
    const viaQuery = await byQuery('semantic');
    assert.deepEqual(viaQuery.map((r) => [r.id, r.similarity, r.rank]), semantic.map((r) => [r.id, r.similarity, r.rank]));
    assert.ok(viaQuery.every((r) => r.score === r.similarity && r.semantic_rank === r.rank && r.keyword_rank === null));
    await assert.rejects(byQuery('fuzzy'), /mode must be 'hybrid', 'semantic' or 'keyword'/);
  });

  test('bad arguments are errors, not empty results', async () => {
    const q = vectors[0]!;
    await assert.rejects(call('hybrid_search', 'alpha', q, 0), /k must be at least 1/);
    await assert.rejects(call('keyword_search', 'alpha', q, 0), /k must be at least 1/);
    await assert.rejects(call('hybrid_search', 'alpha', null, 5), /query_embedding is null/);
    await assert.rejects(call('hybrid_search', 'alpha', q, 5, null, null, { depth: 0 }), /fusion_depth >= 1/);
  });
});
