import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { DEFAULT_HNSW_PARAMS } from '../src/db/hnsw-index.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { forbiddenCharacter } from '../src/shared/forbidden-character.ts';
import { tempDir } from './support/ingest-fixtures.ts';
import { csvOf, generatedRows, storedForm } from './support/random-rows.ts';
import { postGraphql, useGeneratedServer } from './support/generated-server.ts';
import { runCli } from './support/run-cli.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import { useSharedHashEmbedder } from './support/shared-hash-embedder.ts';

const dir = tempDir('hs-input-rules-');
const sharedEmbedder = useSharedHashEmbedder();
after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the character rule', () => {
  test('NUL and lone surrogates are refused; every other character is allowed', () => {
    assert.match(forbiddenCharacter('drought\u0000 farmers') ?? '', /NUL byte/);
    assert.match(forbiddenCharacter('half \uD83D pair') ?? '', /lone UTF-16 surrogate/);
    assert.match(forbiddenCharacter('\uDE00 low first') ?? '', /lone UTF-16 surrogate/);
    for (const ok of ['drought farmers', 'café e\u0301 ⁦bidi⁩ 🌏 👩‍🌾', 'a:* <-> !b | c & "d" \\ e', '\u0001\u001f\u007f\uFFFD\uFEFF']) assert.equal(forbiddenCharacter(ok), null, JSON.stringify(ok));
  });
});

describeEachDatabase('NUL bytes and other forbidden characters', (get) => {
  test('ingest: each NUL row is rejected with its line and reason, the rest loads, the counts reconcile', async () => {
    const valid = generatedRows(1000, 31);
    const lines = csvOf(valid).trimEnd().split('\n');
    // 20 NUL rows spread through the file, each after a valid one: line numbers are 1-based, the header is line 1.
    const nulLines: number[] = [];
    const out: string[] = [lines[0]!];
    for (const [i, line] of lines.slice(1).entries()) {
      out.push(line);
      if (i % 50 === 7) {
        out.push(`20100101,stray \u0000 nul ${i}`);
        nulLines.push(out.length);
      }
    }
    assert.equal(nulLines.length, 20);
    const file = path.join(dir, `nul-${get().mode}.csv`);
    fs.writeFileSync(file, out.join('\n') + '\n');
    const rejectsFile = path.join(dir, `nul-rejects-${get().mode}.tsv`);
    const summary = await ingest(
      { source: file, rejectsFile: () => rejectsFile, maxTextLength: 1000, batchSize: 300, hnsw: DEFAULT_HNSW_PARAMS, projection: 'gaussian', dimensions: 16 },
      { database: get().database, modelId: HASH_MODEL_ID, createEmbedder: sharedEmbedder },
    );
    assert.equal(summary.read, 1020);
    assert.equal(summary.rejected, 20);
    assert.equal(summary.loaded, 1000);
    assert.equal(summary.read, summary.loaded + summary.duplicates + summary.rejected);
    const rejects = fs.readFileSync(rejectsFile, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    assert.deepEqual(rejects.map((r) => Number(r[0])), nulLines);
    for (const r of rejects) assert.equal(r[1], 'NUL byte in headline_text');
    const { rows } = await sql<{ r: string }>`select published_on::text || '|' || text as r from headlines order by 1`.execute(get().database.db);
    assert.deepEqual(rows.map((x) => x.r), valid.map(storedForm).sort());
  });

  test('search_queries: the database itself refuses a NUL in the text, so no such row is ever pending', async () => {
    const { db } = get().database;
    await assert.rejects(sql`insert into search_queries (text) values (${'drought\u0000 farmers'})`.execute(db), /0x00|invalid byte sequence|null character/i);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from search_queries where text like 'drought%'`.execute(db);
    assert.equal(rows[0]!.n, 0);
  });
});

const SEARCH = `query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode) { edges { node { id } } } }`;
const TIMELINE = `query($q: String!) { timeline(query: $q, top: 10) { period count } }`;

describeEachDatabase('forbidden characters over the API', (get) => {
  const server = useGeneratedServer(get);
  test('"drought\\u0000 farmers" and a lone surrogate are BAD_USER_INPUT in every search mode and in timeline', async () => {
    for (const q of ['drought\u0000 farmers', 'drought \uD83D farmers']) {
      for (const mode of ['HYBRID', 'SEMANTIC', 'KEYWORD']) {
        const answer = await postGraphql(server().url, SEARCH, { q, mode });
        assert.equal(answer.body?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${mode} ${JSON.stringify(q)}`);
        assert.match(answer.body!.errors![0]!.message, /`query` holds a (NUL byte|lone UTF-16 surrogate)/);
      }
      const timeline = await postGraphql(server().url, TIMELINE, { q });
      assert.equal(timeline.body?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(q));
    }
    // Written into the document itself, as a GraphQL string escape.
    for (const mode of ['HYBRID', 'SEMANTIC', 'KEYWORD']) {
      const inline = await postGraphql(server().url, `{ search(query: "drought\\u0000 farmers", mode: ${mode}) { edges { cursor } } }`, {});
      assert.equal(inline.body?.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `inline, ${mode}`);
    }
    const fine = await postGraphql(server().url, SEARCH, { q: 'drought farmers', mode: 'HYBRID' });
    assert.equal(fine.body?.errors, undefined);
    assert.ok((fine.body?.data as { search: { edges: unknown[] } }).search.edges.length > 0);
  });
});

describe('forbidden characters on the command line', () => {
  test('`headlines embed`: a line holding a NUL stops with one line naming it', async () => {
    const result = await runCli(['embed'], { EMBED_MODEL: 'hash', LOG_LEVEL: 'silent' }, 'bushfire threatens homes\ndrought\u0000 farmers\n');
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /line 2 holds a NUL byte/);
  });

  test('`headlines search`: a NUL in the text is one line, exit 1', async () => {
    const data = tempDir('hs-input-rules-cli-');
    try {
      const result = await runCli(['search', 'drought\u0000 farmers'], { DATA_DIR: data, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash', LOG_LEVEL: 'silent' });
      assert.equal(result.code, 1);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /`query` holds a NUL byte/);
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
