import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { HNSW_INDEX_NAME } from '../src/db/hnsw-index.ts';
import { sampleCsv, tempDir } from './support/ingest-fixtures.ts';
import { runCli, spawnCli } from './support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

const ROWS = 20_000;
// Slow enough that the build outlives the wait below many times over: what is measured is
// the server giving up, not the build finishing.
const SLOW_BUILD = ['--m', '48', '--ef-construction', '1000', '--build-workers', '0'];

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a killed index build stops on the server at once instead of running on, holding its lock', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, async () => {
  const { url, cleanup } = await makeServerDatabase();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dir = tempDir('hs-cancel-');
  try {
    const file = path.join(dir, 'input.csv');
    fs.writeFileSync(file, sampleCsv(ROWS));
    const env = { DATABASE_URL: url, EMBED_MODEL: 'hash' };
    const ingest = await runCli(['ingest', file, '--projection', 'gaussian', '--quiet'], env);
    assert.equal(ingest.code, 0, ingest.stderr);
    await admin.query(`drop index ${HNSW_INDEX_NAME}`);

    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const child = spawnCli(['reindex', ...SLOW_BUILD], env);
      child.stdin!.end();
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const pid = await poll('the build to start', 60_000, async () => {
        const { rows } = await admin.query<{ pid: number }>('select pid from pg_stat_progress_create_index where datname = current_database()');
        return rows[0]?.pid ?? null;
      });
      child.kill(signal);
      await exited;
      const killed = performance.now();
      await poll(`the build's backend to end after ${signal}`, 10_000, async () => {
        const { rows } = await admin.query('select 1 from pg_stat_activity where pid = $1', [pid]);
        return rows.length === 0 ? true : null;
      });
      const seconds = (performance.now() - killed) / 1000;
      const { rows } = await admin.query('select 1 from pg_indexes where indexname = $1', [HNSW_INDEX_NAME]);
      assert.equal(rows.length, 0, `${signal}: the build was rolled back, not finished (its backend ended ${seconds.toFixed(1)} s after the kill)`);
      // Nothing holds the table: a lock that waits would fail at once.
      await admin.query('begin');
      await admin.query(`set local lock_timeout = '1s'`);
      await admin.query('lock table headlines in share update exclusive mode');
      await admin.query('commit');
    }
  } finally {
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
    await cleanup();
  }
});
