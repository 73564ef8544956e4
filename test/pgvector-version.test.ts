import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { vectorExtensionAdvice } from '../src/db/assess-vector-extension.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer } from '../src/server/start-api-server.ts';
import { runCli } from './support/run-cli.ts';
import { makeServerDatabase, NO_SERVER, TEST_DATABASE_URL } from './support/test-databases.ts';
import { fixedEmbedder } from './support/fixed-embedder.ts';

const FIXES = [/0\.8\.2/, /0\.8\.3/, /0\.8\.4/, /parallel HNSW index builds/, /vacuuming/];

test('pgvector older than 0.8.4 gets one line naming the HNSW fixes it lacks; 0.8.4 and later get none', () => {
  const old = vectorExtensionAdvice({ available: '0.8.0', installed: '0.8.0' });
  assert.ok(old);
  assert.doesNotMatch(old, /\n/);
  for (const fix of FIXES) assert.match(old, fix);
  assert.match(old, /upgrade pgvector on the server/);
  assert.match(vectorExtensionAdvice({ available: '0.8.6', installed: '0.8.1' }) ?? '', /0\.8\.1 is installed in this database.*ALTER EXTENSION vector UPDATE/);
  assert.equal(vectorExtensionAdvice({ available: '0.8.4', installed: '0.8.4' }), null);
  assert.equal(vectorExtensionAdvice({ available: '0.8.6', installed: null }), null);
  assert.equal(vectorExtensionAdvice({ available: '0.10.0', installed: '0.10.0' }), null);
});


// A database whose pgvector reports 0.8.0: the catalogue's version is set back by hand (a
// superuser can), which is what the server then reports for this database.
describe('a server database reporting pgvector 0.8.0 [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  let made: Awaited<ReturnType<typeof makeServerDatabase>>;
  before(async () => {
    made = await makeServerDatabase();
    assert.equal((await runCli(['migrate'], { DATABASE_URL: made.url })).code, 0);
    const client = new pg.Client({ connectionString: made.url });
    await client.connect();
    try {
      await client.query("update pg_extension set extversion = '0.8.0' where extname = 'vector'");
    } finally {
      await client.end();
    }
  });
  after(async () => {
    await made?.cleanup();
  });

  test('headlines migrate warns in one line and still succeeds', async () => {
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: made.url });
    assert.equal(code, 0, stderr);
    const warnings = stderr.split('\n').filter((line) => /pgvector/.test(line));
    assert.equal(warnings.length, 1, stderr);
    assert.match(warnings[0]!, /pgvector 0\.8\.0 is installed in this database, older than 0\.8\.4/);
    for (const fix of FIXES) assert.match(warnings[0]!, fix);
  });

  test('/readyz stays 200 and names the upgrade in its details', async () => {
    const database = await openDatabase(parseConfig({ DATABASE_URL: made.url, LOG_LEVEL: 'silent' }), silentLogger);
    const server = await startApiServer({ database, embedder: createQueryEmbedder(fixedEmbedder, { cacheSize: 0 }), modelId: 'fake', logger: silentLogger, port: 0 });
    try {
      const res = await fetch(`${server.url}/readyz`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { checks: { pgvector?: string } };
      assert.match(body.checks.pgvector ?? '', /pgvector 0\.8\.0 .*older than 0\.8\.4/);
    } finally {
      await server.close();
      await database.close();
    }
  });
});
