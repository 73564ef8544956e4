import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { toVectorLiteral } from '../src/db/vector-literal.ts';
import { silentLogger } from '../src/logger.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

// auto_explain is a server module: PGlite has none, and the plan shape is the server's.
test('semantic_search plans its range statements for the call\'s own dates, whatever the session has cached', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, async () => {
  const { url, config, cleanup } = await makeServerDatabase();
  const database = await openDatabase(config, silentLogger);
  const client = new pg.Client({ connectionString: url });
  try {
    await migrateToLatest(database.db);
    await client.connect();
    const vectors = randomUnitVectors(60, 512, 3);
    // No projection stored: every search takes the exact path over its date range.
    for (const [i, v] of vectors.entries()) {
      await client.query('insert into headlines (published_on, text, embedding, embedding_reduced) values ($1, $2, $3, $4)', [`2015-06-${String((i % 20) + 1).padStart(2, '0')}`, `headline ${i}`, toVectorLiteral(v), toVectorLiteral(v.subarray(0, 16))]);
    }
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    await client.query(`load 'auto_explain'`);
    for (const [name, value] of Object.entries({ 'auto_explain.log_min_duration': '0', 'auto_explain.log_nested_statements': 'on', 'auto_explain.log_level': 'notice' })) {
      await client.query('select set_config($1, $2, false)', [name, value]);
    }
    // What a session ends up with once its plan cache has gone generic.
    await client.query('set plan_cache_mode = force_generic_plan');
    const { rows } = await client.query('select id from semantic_search($1::halfvec(512), 5, $2::date, $3::date)', [toVectorLiteral(vectors[0]!), '2015-06-01', '2015-06-01']);
    assert.equal(rows.length, 3, 'the day holds 3 rows');
    const exact = notices.filter((n) => /published_on >=/.test(n) && /Query Text: select e\.id/.test(n));
    assert.equal(exact.length, 1, `one exact range statement was explained:\n${notices.join('\n---\n')}`);
    assert.match(exact[0]!, /published_on >= '2015-06-01'::date/, `planned with the call's dates:\n${exact[0]}`);
  } finally {
    await client.end().catch(() => undefined);
    await database.close();
    await cleanup();
  }
});
