import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { HNSW_INDEX_NAME } from '../src/db/hnsw-index.ts';
import { sampleCsv, tempDir } from './support/ingest-fixtures.ts';
import { runCli } from './support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

const INDEXES_ON_HEADLINES = `select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
  where i.indrelid = 'headlines'::regclass and c.relname like '${HNSW_INDEX_NAME}%' order by 1`;

/**
 * Interrupts a REINDEX CONCURRENTLY the way a killed `headlines reindex` does, at a point it is
 * sure to reach: an open writing transaction holds it in "waiting for writers before build",
 * after it has made its INVALID `_ccnew` copy, and it is cancelled there.
 */
async function interruptReindex(url: string): Promise<void> {
  const writer = new pg.Client({ connectionString: url });
  const reindexer = new pg.Client({ connectionString: url });
  const watcher = new pg.Client({ connectionString: url });
  await Promise.all([writer.connect(), reindexer.connect(), watcher.connect()]);
  try {
    await writer.query('begin');
    await writer.query('lock table headlines in row exclusive mode');
    const pid = (await reindexer.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    let settled = false;
    const reindex = reindexer.query(`reindex index concurrently ${HNSW_INDEX_NAME}`).then(
      () => 'finished',
      (e: Error) => e.message,
    ).finally(() => (settled = true));
    for (;;) {
      if (settled) throw new Error(`the reindex ended before it waited for the writer: ${await reindex}`);
      const { rows } = await watcher.query<{ phase: string }>('select phase from pg_stat_progress_create_index where pid = $1', [pid]);
      if (rows[0]?.phase === 'waiting for writers before build') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await watcher.query('select pg_cancel_backend($1)', [pid]);
    assert.match(await reindex, /canceling statement/);
    await writer.query('commit');
  } finally {
    await Promise.all([writer.end(), reindexer.end(), watcher.end()]);
  }
}

describe('an interrupted reindex leaves an INVALID copy that the next reindex or migrate removes [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  test('reindex, then migrate', async () => {
    const { url, cleanup } = await makeServerDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const dir = tempDir('hs-ccnew-');
    try {
      const file = path.join(dir, 'input.csv');
      fs.writeFileSync(file, sampleCsv(300));
      const env = { DATABASE_URL: url, EMBED_MODEL: 'hash', LOG_LEVEL: 'warn' };
      const ingest = await runCli(['ingest', file, '--projection', 'gaussian', '--quiet'], env);
      assert.equal(ingest.code, 0, ingest.stderr);
      const clean = [{ name: HNSW_INDEX_NAME, valid: true }];

      for (const next of [['reindex'], ['migrate']]) {
        await interruptReindex(url);
        assert.deepEqual((await admin.query(INDEXES_ON_HEADLINES)).rows, [...clean, { name: `${HNSW_INDEX_NAME}_ccnew`, valid: false }], 'the leftover is there');
        const run = await runCli(next, env);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual((await admin.query(INDEXES_ON_HEADLINES)).rows, clean, `${next[0]} removed it`);
      }
      const search = await runCli(['search', 'floods', '--first', '3'], env);
      assert.equal(search.code, 0, search.stderr);
    } finally {
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
      await cleanup();
    }
  });
});
