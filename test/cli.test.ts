import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from './support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';
import { seededDataDir } from './support/embedded-template.ts';

test('headlines --help lists the commands', async () => {
  const { code, stdout } = await runCli(['--help'], {});
  assert.equal(code, 0);
  assert.match(stdout, /^\s+migrate\b/m);
  assert.match(stdout, /^\s+start\b/m);
});

test('a bad configuration exits non-zero naming every bad variable', async () => {
  const { code, stderr } = await runCli(['migrate'], { PORT: 'x', LOG_LEVEL: 'chatty' });
  assert.equal(code, 1);
  assert.match(stderr, /PORT/);
  assert.match(stderr, /LOG_LEVEL/);
});

describe('headlines migrate', () => {
  test('embedded: creates DATA_DIR/pglite, applies all, then none', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-cli-'));
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0' };
      const first = await runCli(['migrate'], env);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(fs.existsSync(path.join(dir, 'pglite')));
      assert.match(first.stdout, /database: embedded/);
      assert.equal((first.stdout.match(/^applied {2}\d{4}_/gm) ?? []).length, fs.readdirSync('migrations').length);
      const second = await runCli(['migrate'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /no pending migrations/);
      const status = await runCli(['migrate', '--status'], env);
      assert.doesNotMatch(status.stdout, /pending {2}\d/);
      assert.match(status.stdout, /applied {2}0001_vector_extension/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('server: the same against DATABASE_URL', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, async () => {
    const made = await makeServerDatabase();
    try {
      const first = await runCli(['migrate'], { DATABASE_URL: made.url });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /database: server/);
      assert.match(first.stdout, /applied {2}0002_headlines/);
      const second = await runCli(['migrate'], { DATABASE_URL: made.url });
      assert.match(second.stdout, /no pending migrations/);
    } finally {
      await made.cleanup();
    }
  });

  test('start: an empty embedded database gets the demo headlines, then embed --projected uses the stored projection', async () => {
    const dir = await seededDataDir('hs-cli-start-');
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash' };
      const first = await runCli(['start', '--no-serve'], env);
      assert.equal(first.code, 0, first.stderr);
      const demoRows = fs.readFileSync('data/demo-headlines.csv', 'utf8').trim().split('\n').length - 1;
      assert.match(first.stdout, new RegExp(`read ${demoRows} = loaded ${demoRows} \\+ duplicates 0 \\+ rejected 0`));
      assert.match(first.stdout, /projection: pca-64; HNSW index built/);
      const second = await runCli(['start', '--no-serve'], env);
      assert.match(second.stdout, new RegExp(`headlines stored: ${demoRows}`));
      const projected = await runCli(['embed', '--projected'], env, 'bushfire threatens homes\n');
      assert.equal(projected.code, 0, projected.stderr);
      assert.equal((JSON.parse(projected.stdout) as number[]).length, 64);
      // EMBED_MODEL unset: commands take the model the database was embedded with (hash
      // here), not the default for new databases, so the vectors and searches match it.
      const { EMBED_MODEL: _model, ...unset } = env;
      for (const args of [['embed'], ['embed', '--projected']]) {
        const named = await runCli(args, env, 'bushfire threatens homes\n');
        const inherited = await runCli(args, unset, 'bushfire threatens homes\n');
        assert.equal(inherited.code, 0, inherited.stderr);
        assert.deepEqual(JSON.parse(inherited.stdout), JSON.parse(named.stdout), args.join(' '));
      }
      const searched = await runCli(['search', 'bushfire threatens homes', '--first', '3', '--json'], unset);
      assert.equal(searched.code, 0, searched.stderr);
      assert.equal((JSON.parse(searched.stdout) as { edges: unknown[] }).edges.length, 3);
      const reindexed = await runCli(['reindex', '--build-workers', '0'], env);
      assert.equal(reindexed.code, 0, reindexed.stderr);
      assert.match(reindexed.stdout, /^rebuilt the HNSW index in \d+\.\d s$/m);
      const badWorkers = await runCli(['reindex', '--build-workers', '65'], env);
      assert.equal(badWorkers.code, 1);
      assert.match(badWorkers.stderr, /--build-workers.*from 0 to 64/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ingest of a missing file exits non-zero with a clear message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-cli-'));
    try {
      const result = await runCli(['ingest', path.join(dir, 'missing.csv')], { DATA_DIR: dir, EMBEDDED_DB_PORT: '0' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /Cannot read .*missing\.csv/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('commands before any migration, and reindex with nothing ingested, say so and exit non-zero', async () => {
    const dir = await seededDataDir('hs-cli-');
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0' };
      // Every command that needs the schema says so in one line, without a stack trace.
      for (const args of [['reindex'], ['search', 'bushfire'], ['embed', '--projected'], ['grant-analyst', 'someone']]) {
        const unmigrated = await runCli(args, env, 'bushfire\n');
        assert.equal(unmigrated.code, 1, args.join(' '));
        assert.match(unmigrated.stderr, /^headlines: The database schema is not up to date \(pending: 0001_vector_extension.*run `headlines migrate`/m, args.join(' '));
        assert.doesNotMatch(unmigrated.stderr, /\n\s+at /, args.join(' '));
      }
      assert.equal((await runCli(['migrate'], env)).code, 0);
      const empty = await runCli(['reindex'], env);
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /^headlines: Nothing to index/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable server fails with a clear message', async () => {
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' });
    assert.equal(code, 1);
    assert.match(stderr, /ECONNREFUSED|connect/i);
  });
});
