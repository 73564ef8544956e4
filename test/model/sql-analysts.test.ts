import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { tempDir } from '../support/ingest-fixtures.ts';
import { runCli } from '../support/run-cli.ts';
import { freePort, startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import type { SearchRow } from '../support/search-row.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from '../support/test-databases.ts';
import { fromGlobalId } from '../../src/graphql/global-id.ts';

/** GraphQL's Headline.id is a global id; the SQL functions return the stored key it encodes. */
function storedKey(globalId: string): string {
  const decoded = fromGlobalId(globalId);
  assert.equal(decoded?.type, 'Headline', `${globalId} is a Headline id`);
  return decoded!.key;
}


/** The SQL blocks of docs/sql.md, the analysts' guide, by their `analyst-example` marker. */
function guideExamples(): Map<string, string[]> {
  const guide = fs.readFileSync(new URL('../../docs/sql.md', import.meta.url), 'utf8');
  const examples = new Map<string, string[]>();
  for (const m of guide.matchAll(/<!-- analyst-example: ([\w-]+) -->\s*```sql\n([\s\S]*?)```/g)) {
    examples.set(m[1]!, m[2]!.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean));
  }
  return examples;
}

const PAGE = 'edges { similarity score node { id text publishedOn } } pageInfo { hasNextPage }';

for (const mode of ['embedded', 'server'] as const) {
  const skip = mode === 'server' && !TEST_DATABASE_URL ? NO_SERVER : false;
  describe(`SQL analysts, with the server running [${mode === 'embedded' ? 'pglite' : 'postgres'}]`, { skip }, () => {
    let dir: string;
    let serve: ServeProcess;
    let client: pg.Client;
    let cleanup: () => Promise<void> = async () => undefined;

    before(async () => {
      dir = tempDir('hs-analyst-');
      let env: Record<string, string>;
      let url: string;
      if (mode === 'embedded') {
        const port = await freePort();
        env = { DATA_DIR: dir, EMBEDDED_DB_PORT: String(port) };
        url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      } else {
        const made = await makeServerDatabase();
        env = { DATABASE_URL: made.url, DATA_DIR: dir };
        url = made.url;
        cleanup = made.cleanup;
      }
      for (const args of [['start', '--no-serve'], ['grant-analyst', 'analyst']]) {
        const r = await runCli(args, { ...env, EMBED_BACKEND: 'wasm' });
        assert.equal(r.code, 0, r.stderr);
      }
      serve = await startServeProcess({ ...env, LOG_QUERIES: 'true' });
      // Dates as 'YYYY-MM-DD' text, as psql shows them.
      client = new pg.Client({ connectionString: url, types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.DATE ? (v: string) => v : pg.types.getTypeParser(oid, format)) } });
      await client.connect();
    });

    after(async () => {
      await client?.end();
      assert.equal(await serve?.stop(), 0);
      await cleanup();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      const res = await fetch(`${serve.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data: T; errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data;
    }

    async function waitEmbedded(id: string, ms = 2000): Promise<{ embedded: boolean; error: string | null; waited: number }> {
      const started = Date.now();
      for (;;) {
        const { rows } = await client.query('select embedding is not null as embedded, error, embedded_at is not null as done from search_queries where id = $1', [id]);
        if (rows[0].done || Date.now() - started > ms) return { embedded: rows[0].embedded, error: rows[0].error, waited: Date.now() - started };
        await new Promise((r) => setTimeout(r, 25));
      }
    }

    /** One statement as the analyst role, in its own transaction so the role never leaks. */
    async function asAnalyst<T extends pg.QueryResultRow>(statement: string): Promise<T[]> {
      await client.query('begin');
      try {
        await client.query('set local role analyst');
        const { rows } = await client.query<T>(statement);
        await client.query('commit');
        return rows;
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    }

    test('GraphQL search and search_by_query return the same ids, order, scores and similarities in every mode (LOG_QUERIES records the exact query vector)', async () => {
      for (const [q, filter] of [['storm damage', null], ['bushfire threatens homes', { from: '2005-01-01', to: '2015-12-31' }], ['interest rates rise', { from: '2007-01-01' }], ['sydney', null]] as const) {
        // No mode: the API's default, against search_by_query's default.
        for (const mode of [null, 'HYBRID', 'SEMANTIC', 'KEYWORD'] as const) {
          const data = await graphql<{ search: { edges: Array<{ similarity: number; score: number; node: { id: string } }> } }>(
            `query($q: String!, $f: HeadlineFilter, $mode: SearchMode) { search(query: $q, first: 8, filter: $f, mode: $mode) { ${PAGE} } }`,
            { q, f: filter, mode },
          );
          // LOG_QUERIES records after answering, so give the insert a moment.
          let logged: Array<{ id: string | null }> = [];
          for (let tries = 0; tries < 40 && !logged[0]?.id; tries++) {
            if (tries > 0) await new Promise((r) => setTimeout(r, 50));
            ({ rows: logged } = await client.query('select max(id) as id from search_queries where text = $1 and embedding is not null', [q]));
          }
          assert.ok(logged[0]?.id, `${q} was recorded`);
          const args = [logged[0]!.id, filter?.from ?? null, (filter as { to?: string } | null)?.to ?? null];
          const { rows } = mode === null
            ? await client.query<SearchRow & { score: number }>('select * from search_by_query($1, 8, $2, $3) order by rank', args)
            : await client.query<SearchRow & { score: number }>('select * from search_by_query($1, 8, $2, $3, $4) order by rank', [...args, mode.toLowerCase()]);
          const label = `${q} ${mode}`;
          assert.deepEqual(rows.map((r) => r.id), data.search.edges.map((e) => storedKey(e.node.id)), label);
          if (mode !== 'KEYWORD') assert.equal(rows.length, 8, label);
          rows.forEach((r, i) => {
            assert.ok(Math.abs(r.similarity - data.search.edges[i]!.similarity) <= 1e-6, label);
            assert.ok(Math.abs(r.score - data.search.edges[i]!.score) <= 1e-6, label);
          });
        }
      }
    });

    test('similar and similar_headlines agree', async () => {
      const { rows: target } = await client.query("select id from headlines where text = 'rudd wins election in landslide'");
      const data = await graphql<{ similar: { edges: Array<{ similarity: number; node: { id: string } }> } }>(`query($id: ID!) { similar(id: $id, first: 6) { ${PAGE} } }`, { id: target[0].id });
      const { rows } = await client.query<SearchRow>('select * from similar_headlines($1, 6) order by rank', [target[0].id]);
      assert.deepEqual(rows.map((r) => r.id), data.similar.edges.map((e) => storedKey(e.node.id)));
      rows.forEach((r, i) => assert.ok(Math.abs(r.similarity - data.similar.edges[i]!.similarity) <= 1e-6));
    });

    test('an inserted text is embedded within 2 s; a bad row gets an error and later rows still embed', async () => {
      const { rows } = await client.query("insert into search_queries (text) values ('heavy rain floods roads'), ('   '), ('new hospital opens') returning id");
      const [good, bad, later] = rows.map((r) => r.id as string);
      const first = await waitEmbedded(good!);
      assert.equal(first.embedded, true, `embedded within ${first.waited} ms`);
      assert.ok(first.waited <= 2000);
      const failed = await waitEmbedded(bad!);
      assert.equal(failed.embedded, false);
      assert.match(failed.error ?? '', /empty/);
      assert.equal((await waitEmbedded(later!)).embedded, true);
      await assert.rejects(client.query('select * from search_by_query($1)', [bad]), /could not be embedded/);
    });

    test('docs/sql.md examples run as the analyst role and give the documented kind of result', async () => {
      const examples = guideExamples();
      assert.deepEqual([...examples.keys()].sort(), ['coverage', 'name-per-year', 'similar', 'text-search', 'watchlist']);
      const results = new Map<string, Array<Record<string, unknown>>>();
      for (const [name, statements] of examples) {
        for (const statement of statements) {
          if (/search_by_query/.test(statement)) {
            const { rows } = await client.query('select max(id) as id from search_queries');
            await waitEmbedded(rows[0].id);
          }
          results.set(name, await asAnalyst(statement));
        }
      }
      const similar = results.get('similar')!;
      assert.equal(similar.length, 5);
      assert.match(String(similar[0]!.text), /banana|cyclone/);
      assert.ok(similar.some((r) => /cyclone larry/.test(String(r.text))), JSON.stringify(similar));
      const floods = results.get('text-search')!;
      assert.equal(floods.length, 5);
      const wet = floods.filter((r) => /flood|rain|storm|cyclone|queensland|river/.test(String(r.text))).length;
      assert.ok(wet >= 3, `only ${wet} of ${JSON.stringify(floods.map((r) => r.text))}`);
      const coverage = results.get('coverage')!;
      assert.equal(coverage.reduce((n, r) => n + Number(r.headlines), 0), 200);
      assert.ok(coverage.length >= 15 && coverage.every((r) => /^20(0[3-9]|1\d|2[01])-01-01$/.test(String(r.year))), JSON.stringify(coverage));
      // Every headline naming Sydney is in hybrid's top 20, spread over their years; fewer in semantic's.
      const perYear = results.get('name-per-year')!;
      const { rows: named } = await client.query("select count(*)::int as n, count(distinct date_trunc('year', published_on))::int as years from headlines where text ~ '\\msydney\\M'");
      assert.equal(perYear.reduce((n, r) => n + Number(r.hybrid), 0), named[0].n);
      assert.equal(perYear.length, named[0].years);
      assert.ok(perYear.reduce((n, r) => n + Number(r.semantic), 0) < named[0].n, JSON.stringify(perYear));
      const watch = results.get('watchlist')!;
      assert.equal(watch.length, 6);
      assert.ok(watch.filter((r) => r.watching === 'bushfires').every((r) => /fire/.test(String(r.text))));
    });

    test('the analyst role cannot change headlines (but may add search queries)', async () => {
      for (const statement of ["insert into headlines (published_on, text, embedding, embedding_reduced) select published_on, text || ' x', embedding, embedding_reduced from headlines limit 1", "update headlines set text = 'changed'", 'delete from headlines', 'truncate headlines', 'delete from projection']) {
        await assert.rejects(asAnalyst(statement), /permission denied/, statement);
      }
      const rows = await asAnalyst<{ id: string }>("insert into search_queries (text) values ('allowed') returning id");
      assert.equal(rows.length, 1);
    });
  });
}
