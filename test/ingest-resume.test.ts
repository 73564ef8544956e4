import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import { parseConfig, type Config } from '../src/config/parse-config.ts';
import { hnswIndexExists } from '../src/db/hnsw-index.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { silentLogger } from '../src/logger.ts';
import { expectedRows, sampleCsv } from './support/ingest-fixtures.ts';
import { runCli, spawnCli } from './support/run-cli.ts';
import { freePort } from './support/serve-process.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';
import { seededDataDir } from './support/embedded-template.ts';

const ROWS = 1500;

async function countRows(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query('select count(*)::int as n from headlines');
    return rows[0].n as number;
  } catch {
    return 0; // not migrated yet, or not up yet
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function killMidRun(args: string[], env: Record<string, string>, url: string): Promise<number> {
  const child = spawnCli(args, env);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 120_000;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = await countRows(url);
    if (seen >= 300) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  await exited;
  return seen;
}

for (const mode of ['embedded', 'server'] as const) {
  const skip = mode === 'server' && !TEST_DATABASE_URL ? NO_SERVER : false;
  describe(`ingest killed with SIGKILL resumes exactly [${mode === 'embedded' ? 'pglite' : 'postgres'}]`, { skip }, () => {
    test('re-running after kill -9 ends with exactly the rows of a clean run, and the index', async () => {
      const dir = await seededDataDir('hs-resume-');
      const csv = sampleCsv(ROWS, 3000);
      const file = path.join(dir, 'input.csv');
      fs.writeFileSync(file, csv);
      let env: Record<string, string>;
      let url: string;
      let config: Config;
      let cleanup: () => Promise<void> = async () => undefined;
      if (mode === 'embedded') {
        const port = await freePort();
        env = { DATA_DIR: dir, EMBEDDED_DB_PORT: String(port) };
        url = `postgres://postgres@127.0.0.1:${port}/postgres`;
        config = parseConfig({ DATA_DIR: dir, EMBEDDED_DB_PORT: '0' });
      } else {
        const made = await makeServerDatabase();
        env = { DATABASE_URL: made.url };
        url = made.url;
        config = made.config;
        cleanup = made.cleanup;
      }
      try {
        const args = ['ingest', file, '--projection', 'gaussian', '--dims', '16', '--batch-size', '100', '--quiet'];
        const seen = await killMidRun(args, { ...env, EMBED_MODEL: 'hash' }, url);
        assert.ok(seen >= 300 && seen < ROWS, `killed mid-run (saw ${seen} rows)`);

        const rerun = await runCli(args, { ...env, EMBED_MODEL: 'hash' });
        assert.equal(rerun.code, 0, rerun.stderr);

        const database = await openDatabase(config, silentLogger);
        try {
          const { rows } = await database.pool.query<{ r: string }>("select published_on::text || '|' || text as r from headlines order by 1");
          assert.equal(rows.length, ROWS);
          assert.deepEqual(rows.map((x) => x.r), expectedRows(csv));
          assert.ok(await hnswIndexExists(database.db), 'the index ends up built');
          const { rows: missing } = await database.pool.query('select count(*)::int as n from headlines where embedding is null or embedding_reduced is null');
          assert.equal(missing[0].n, 0);
        } finally {
          await database.close();
        }
      } finally {
        await cleanup();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
