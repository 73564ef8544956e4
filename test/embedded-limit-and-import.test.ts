import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { parseConfig } from '../src/config/parse-config.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import { estimateTotal } from '../src/ingest/check-embedded-limit.ts';
import { silentLogger } from '../src/logger.ts';
import { sampleCsv, tempDir } from './support/ingest-fixtures.ts';
import { runCli } from './support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

test('estimateTotal: rows so far scaled by the share of the source read; as is when the size is unknown', () => {
  assert.equal(estimateTotal(500, 25_000, 100_000), 2000);
  assert.equal(estimateTotal(500, 25_000, null), 500);
  assert.equal(estimateTotal(500, 100_000, 100_000), 500);
  assert.equal(estimateTotal(0, 0, 100_000), 0);
});

describe('embedded database: clean refusal past its limit, then a move to a server', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  const dir = tempDir('hs-embedded-limit-');
  const csv = path.join(dir, 'sample.csv');
  const embeddedEnv = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash', LOG_LEVEL: 'warn' };
  let server: Awaited<ReturnType<typeof makeServerDatabase>>;

  before(async () => {
    fs.writeFileSync(csv, sampleCsv(3000));
    server = await makeServerDatabase();
  });
  after(async () => {
    await server?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const withDatabase = async <T>(config: ReturnType<typeof parseConfig>, body: (d: Database) => Promise<T>) => {
    const database = await openDatabase(config, silentLogger);
    try {
      return await body(database);
    } finally {
      await database.close();
    }
  };
  const embeddedConfig = () => parseConfig({ DATA_DIR: dir, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'silent' });
  const count = (d: Database) => sql<{ n: number }>`select count(*)::int as n from headlines`.execute(d.db).then((r) => r.rows[0]!.n);

  test('an ingest past EMBEDDED_MAX_HEADLINES stops before embedding, names the limit and DATABASE_URL, and leaves a usable database', async () => {
    const refused = await runCli(['ingest', csv, '--batch-size', '500'], { ...embeddedEnv, EMBEDDED_MAX_HEADLINES: '400' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /holds at most 400 \(EMBEDDED_MAX_HEADLINES/);
    assert.match(refused.stderr, /set DATABASE_URL/);
    assert.match(refused.stderr, /headlines import/);
    assert.doesNotMatch(refused.stderr, /unexpected error|\n\s+at /);
    assert.equal(await withDatabase(embeddedConfig(), count), 0, 'nothing loaded');

    // The same data directory takes the rows under the default limit.
    const loaded = await runCli(['ingest', csv, '--quiet'], embeddedEnv);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(await withDatabase(embeddedConfig(), count), 3000);
  });

  test('`headlines import <data-dir>` copies headlines, vectors and projection to the server without embedding, then indexes', async () => {
    // No EMBED_MODEL here: the import must not need a model at all.
    const env = { DATABASE_URL: server.url, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'warn' };
    const first = await runCli(['import', dir], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /import summary: read 3000 = loaded 3000 \+ duplicates 0; HNSW index built/);

    const snapshot = (d: Database) =>
      Promise.all([
        sql<Record<string, string>>`select published_on, text, embedding::text as e, embedding_reduced::text as r from headlines order by published_on, text`.execute(d.db).then((r) => r.rows),
        sql<Record<string, string>>`select model_id, kind, dimensions, mean::text as mean, version from projection`.execute(d.db).then((r) => r.rows),
        sql<Record<string, string>>`select component, direction::text as direction from projection_basis order by component`.execute(d.db).then((r) => r.rows),
        sql<Record<string, string>>`
          select s.text, round(s.similarity::numeric, 6) as similarity from headlines q
          cross join lateral semantic_search(q.embedding, 10) s
          where q.text = (select min(text) from headlines) order by s.rank`.execute(d.db).then((r) => r.rows),
      ]);
    const [fromEmbedded, onServer] = [await withDatabase(embeddedConfig(), snapshot), await withDatabase(server.config, snapshot)];
    assert.equal(onServer[0].length, 3000);
    assert.deepEqual(onServer[0], fromEmbedded[0], 'the same rows and vectors');
    assert.deepEqual(onServer[1], fromEmbedded[1], 'the same projection');
    assert.deepEqual(onServer[2], fromEmbedded[2], 'the same basis');
    assert.equal(onServer[3].length, 10);
    // The same results in the same order; PGlite's pgvector (WebAssembly) and the server's
    // (native) may round a cosine differently in the last float digits.
    assert.deepEqual(onServer[3].map((r) => r.text), fromEmbedded[3].map((r) => r.text), 'the same search results');
    onServer[3].forEach((r, i) => assert.ok(Math.abs(Number(r.similarity) - Number(fromEmbedded[3][i]!.similarity)) <= 1e-5, `${r.text}: ${r.similarity} vs ${fromEmbedded[3][i]!.similarity}`));

    const again = await runCli(['import', dir], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /read 3000 = loaded 0 \+ duplicates 3000; HNSW index unchanged/);
  });

  test('import without DATABASE_URL, or into a server with another projection, is refused', async () => {
    const noServer = await runCli(['import', dir], { EMBEDDED_DB_PORT: '0', DATA_DIR: dir });
    assert.equal(noServer.code, 1);
    assert.match(noServer.stderr, /Set DATABASE_URL/);

    await withDatabase(server.config, (d) => sql`update projection set mean = null`.execute(d.db));
    const mismatch = await runCli(['import', dir], { DATABASE_URL: server.url, EMBEDDED_DB_PORT: '0', LOG_LEVEL: 'warn' });
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /another projection/);
  });
});
