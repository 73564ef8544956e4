import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { loadFixture, queryEmbedder, useFixtureServer } from './support/graphql-fixture.ts';
import { grantAnalyst } from '../src/db/grant-analyst.ts';
import { describeEachDatabase } from './support/test-databases.ts';

interface Edge {
  matchedTerms: string[];
  node: { id: string; text: string };
}
interface Results {
  edges: Edge[];
  correctedQuery: string | null;
}
interface Suggestion {
  text: string;
  headlines: number;
}

const SEARCH = `query($q: String!, $first: Int, $mode: SearchMode) { search(query: $q, first: $first, mode: $mode) { correctedQuery edges { matchedTerms node { id text } } } }`;
const SUGGEST = `query($prefix: String!, $first: Int) { suggest(prefix: $prefix, first: $first) { text headlines } }`;

let embedder: QueryEmbedder;
before(async () => {
  embedder = await queryEmbedder();
});
after(async () => {
  await embedder?.close();
});

describeEachDatabase('typo tolerance and suggestions', (get) => {
  const server = useFixtureServer(get, () => embedder);
  const db = () => get().database.db;

  async function gql<T>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: ReadonlyArray<{ message: string }> }> {
    const response = await server().apollo.executeOperation({ query, variables }, { contextValue: server().contextValue });
    assert.equal(response.body.kind, 'single');
    return response.body.kind === 'single' ? (response.body.singleResult as { data?: T; errors?: ReadonlyArray<{ message: string }> }) : {};
  }
  const search = async (q: string, mode = 'HYBRID', first = 10) => {
    const { data, errors } = await gql<{ search: Results }>(SEARCH, { q, first, mode });
    assert.equal(errors, undefined);
    return data!.search;
  };
  const suggest = async (prefix: string, first?: number) => {
    const { data, errors } = await gql<{ suggest: Suggestion[] }>(SUGGEST, { prefix, first });
    assert.equal(errors, undefined);
    return data!.suggest;
  };

  /** headline_terms recounted from the headlines themselves. */
  async function recount() {
    const { rows } = await sql<{ term: string; headlines: number }>`
      select x.term, count(*)::integer as headlines from headlines h, headline_terms_of(h.text) x group by x.term order by x.term`.execute(db());
    return rows;
  }
  async function stored() {
    const { rows } = await sql<{ term: string; headlines: number }>`select term, headlines from headline_terms order by term`.execute(db());
    return rows;
  }

  test('the word list holds every word and adjacent word pair with its headline count, kept by the ingest', async () => {
    const terms = await stored();
    assert.deepEqual(terms, await recount());
    const names = new Map(terms.map((t) => [t.term, t.headlines]));
    assert.ok((names.get('costello') ?? 0) >= 3);
    assert.ok((names.get('bin laden') ?? 0) >= 3);
    // Stop words are not terms, and do not join the words around them into a pair.
    assert.equal(names.get('in'), undefined);
    assert.equal(names.get('troops iraq'), undefined);
    // An ingest run again loads nothing new, and counts nothing twice.
    await loadFixture(get().database);
    assert.deepEqual(await stored(), terms);
  });

  test('a misspelled name finds the name, says so, and the edges show the corpus word matched', async () => {
    const exact = await search('costello');
    assert.equal(exact.correctedQuery, null);
    const typo = await search('costelo');
    assert.equal(typo.correctedQuery, 'costello');
    assert.equal(typo.edges.length, 10);
    for (const edge of typo.edges) {
      assert.match(edge.node.text, /\bcostello\b/);
      assert.deepEqual(edge.matchedTerms, ['costello']);
    }

    const pair = await search('bin ladin');
    assert.equal(pair.correctedQuery, 'bin laden');
    assert.ok(pair.edges.slice(0, 3).every((e) => /\bbin laden\b/.test(e.node.text)), JSON.stringify(pair.edges.map((e) => e.node.text)));

    // Only hybrid search corrects: keyword search is the exact words.
    const keyword = await search('costelo', 'KEYWORD');
    assert.equal(keyword.correctedQuery, null);
    assert.equal(keyword.edges.length, 0);
  });

  test('corrections are in SQL, for analysts: a word the corpus has is never corrected, negated words are left alone', async () => {
    const corrected = async (q: string) => (await sql<{ c: string | null }>`select corrected_query(${q}) as c`.execute(db())).rows[0]!.c;
    assert.equal(await corrected('costelo'), 'costello');
    assert.equal(await corrected('Costelo visits Sydney'), 'costello visits Sydney');
    assert.equal(await corrected('costello'), null);
    assert.equal(await corrected('drought'), null);
    assert.equal(await corrected('drought -costelo'), null);
    assert.equal(await corrected('xqzvwk'), null);
    const { rows } = await sql<{ word: string; correction: string; in_pair: boolean }>`select word, correction, in_pair from headline_corrections('bin ladin')`.execute(db());
    assert.deepEqual(rows, [{ word: 'ladin', correction: 'laden', in_pair: true }]);
    // Exact matches that fill the keyword side leave no room for a correction: none is searched or reported.
    await db().transaction().execute(async (trx) => {
      await sql`select set_config('headline_search.fusion_depth', '5', true)`.execute(trx);
      const reported = async (q: string) => (await sql<{ c: string | null }>`select search_correction(${q}) as c`.execute(trx)).rows[0]!.c;
      assert.equal(await reported('costelo'), 'costello');
      assert.equal(await reported('drought or costelo'), null);
      const { rows: ranked } = await sql<{ text: string }>`
        select h.text from hybrid_search('drought or costelo', (select embedding from headlines order by id limit 1), 5) h order by h.rank`.execute(trx);
      assert.ok(ranked.every((r) => !/\bcostello\b/.test(r.text)), JSON.stringify(ranked));
    });
  });

  test('the analyst role may read the word list: corrections and suggestions in SQL as that role', async () => {
    const role = `hs_typo_analyst_${process.pid}`;
    await grantAnalyst(db(), role);
    try {
      await db().transaction().execute(async (trx) => {
        await sql`set local role ${sql.id(role)}`.execute(trx);
        assert.equal((await sql<{ c: string | null }>`select corrected_query('costelo') as c`.execute(trx)).rows[0]!.c, 'costello');
        const { rows: ranked } = await sql<{ text: string }>`
          select h.text from hybrid_search('costelo', (select embedding from headlines order by id limit 1), 3) h order by h.rank`.execute(trx);
        assert.ok(ranked.length === 3 && ranked.every((r) => /\bcostello\b/.test(r.text)), JSON.stringify(ranked));
        const { rows: completions } = await sql<{ text: string }>`select text from suggest('cost', 3)`.execute(trx);
        assert.ok(completions.length === 3 && completions.every((c) => c.text.startsWith('cost')), JSON.stringify(completions));
      });
      await assert.rejects(
        db().transaction().execute(async (trx) => {
          await sql`set local role ${sql.id(role)}`.execute(trx);
          await sql`delete from headline_terms`.execute(trx);
        }),
        /permission denied/,
      );
    } finally {
      await sql`drop owned by ${sql.id(role)}`.execute(db());
      await sql`drop role ${sql.id(role)}`.execute(db());
    }
  });

  test('an exact word beats a near miss, and corrections come after it', async () => {
    // "costelo" becomes a corpus word (one headline): the trigger counts it as the row loads.
    await sql`insert into headlines (published_on, text, embedding, embedding_reduced)
              select '2004-05-06', 'costelo cafe opens in hobart', embedding, embedding_reduced from headlines order by id limit 1`.execute(db());
    try {
      assert.equal((await sql<{ n: number }>`select headline_term_headlines('costelo') as n`.execute(db())).rows[0]!.n, 1);
      const results = await search('costelo');
      assert.equal(results.edges[0]!.node.text, 'costelo cafe opens in hobart');
      assert.deepEqual(results.edges[0]!.matchedTerms, ['costelo']);
      assert.ok(results.edges.slice(1).every((e) => /\bcostello\b/.test(e.node.text)));
    } finally {
      await sql`delete from headlines where text = 'costelo cafe opens in hobart'`.execute(db());
    }
    assert.equal((await sql<{ n: number }>`select headline_term_headlines('costelo') as n`.execute(db())).rows[0]!.n, 0);
    assert.deepEqual(await stored(), await recount());
  });

  test('suggest completes words and names from the corpus, most headlines first', async () => {
    const costello = await suggest('cost');
    assert.ok(costello.length > 0 && costello.length <= 8);
    for (const s of costello) assert.ok(s.text.startsWith('cost'), s.text);
    for (let i = 1; i < costello.length; i++) assert.ok(costello[i - 1]!.headlines >= costello[i]!.headlines);
    const counts = await recount();
    const count = (term: string) => counts.find((c) => c.term === term)?.headlines;
    for (const s of costello) assert.equal(s.headlines, count(s.text));
    assert.ok(costello.some((s) => s.text === 'costello'));

    const names = await suggest('Bin  L');
    assert.equal(names[0]!.text, 'bin laden');
    assert.equal(names[0]!.headlines, count('bin laden'));
    // Words typed before the last two stay in front; a trailing space asks for the next word.
    const longer = await suggest('tape bin la');
    assert.equal(longer[0]!.text, 'tape bin laden');
    const next = await suggest('bin ');
    assert.ok(next.length > 0 && next.every((s) => s.text.startsWith('bin ')));

    assert.equal((await suggest('cost', 2)).length, 2);
    assert.deepEqual(await suggest(''), []);
    assert.deepEqual(await suggest('zzqx'), []);
    const { errors } = await gql(SUGGEST, { prefix: 'cost', first: 0 });
    assert.match(errors?.[0]?.message ?? '', /first/);
  });
});
