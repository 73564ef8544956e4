import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { acquireDataDirLock } from '../src/db/embedded/data-dir-lock.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded/start-embedded-postgres.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { silentLogger } from '../src/logger.ts';
import { runCli, runCliProcess } from './support/run-cli.ts';
import { seededDataDir } from './support/embedded-template.ts';

const run = promisify(execFile);

describe('embedded PostgreSQL over the wire', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let pool: pg.Pool;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-embedded-'));
    server = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger: silentLogger });
    pool = new pg.Pool({ connectionString: server.connectionString, max: 10 });
    await pool.query('create table t (id int primary key, v int)');
  });

  after(async () => {
    await pool.end();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('persists under DATA_DIR/pglite', () => {
    assert.equal(server.dataDir, path.join(dir, 'pglite'));
    assert.ok(fs.existsSync(path.join(dir, 'pglite', 'PG_VERSION')));
  });

  test('concurrent extended-protocol queries and transactions on many connections never interleave', async () => {
    let wrong = 0;
    const committed: number[] = [];
    await Promise.all(
      Array.from({ length: 1500 }, async (_, i) => {
        if (i % 3 === 0) {
          const r = await pool.query('select $1::int as v', [i]);
          if (r.rows[0].v !== i) wrong++;
        } else if (i % 3 === 1) {
          const r = await pool.query('select $1::text as a, $2::int as b, $3::int as c', [`s${i}`, i, -i]);
          if (r.rows[0].a !== `s${i}` || r.rows[0].c !== -i) wrong++;
        } else {
          const c = await pool.connect();
          try {
            await c.query('begin');
            await c.query('insert into t values ($1, $2)', [i, i]);
            const r = await c.query('select count(*)::int as n from t where id = $1', [i]);
            if (r.rows[0].n !== 1) wrong++;
            if (i % 4 === 0) await c.query('rollback');
            else {
              await c.query('commit');
              committed.push(i);
            }
          } finally {
            c.release();
          }
        }
      }),
    );
    assert.equal(wrong, 0);
    const { rows } = await pool.query('select id from t order by id');
    assert.deepEqual(rows.map((r) => r.id), committed.sort((a, b) => a - b));
  });

  test("another connection never sees or joins an open transaction's work", async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('begin');
      await a.query('insert into t values (-1, -1)');
      const seen = b.query('select count(*)::int as n from t where id = -1');
      await new Promise((r) => setTimeout(r, 100));
      await a.query('rollback');
      assert.equal((await seen).rows[0].n, 0);
    } finally {
      a.release();
      b.release();
    }
  });

  test('a client that disconnects inside a transaction has it rolled back and frees the session', async () => {
    const c = new pg.Client({ connectionString: server.connectionString });
    c.on('error', () => undefined);
    await c.connect();
    await c.query('begin');
    await c.query('insert into t values (-2, -2)');
    c.connection.stream.destroy();
    const { rows } = await pool.query('select count(*)::int as n from t where id = -2');
    assert.equal(rows[0].n, 0);
  });

  test('psql can connect while the process runs', async () => {
    const { stdout } = await run('psql', [server.connectionString, '-XAtc', "select name from pg_available_extensions where name = 'vector'"]);
    assert.equal(stdout.trim(), 'vector');
  });
});

describe('embedded database ownership', () => {
  test('a second process on the same DATA_DIR gets "database in use by pid N"', async () => {
    const dir = await seededDataDir('hs-lock-');
    const server = await startEmbeddedPostgres({ dataDir: dir, port: 0, logger: silentLogger });
    try {
      const result = await runCliProcess(['migrate'], { DATA_DIR: dir, EMBEDDED_DB_PORT: '0' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`in use by pid ${process.pid}\\b`));
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace for a known condition');
      // The same from within this process (the pid file alone cannot tell).
      const inProcess = await runCli(['migrate'], { DATA_DIR: dir, EMBEDDED_DB_PORT: '0' });
      assert.equal(inProcess.code, 1);
      assert.match(inProcess.stderr, /in use by pid \d+ \(this process\)/);
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lock left by a dead process (kill -9) is taken over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-lock-'));
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    const pid = child.pid!;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    fs.writeFileSync(path.join(dir, 'headline-search.pid'), `${pid}\n`);
    const lock = acquireDataDirLock(dir);
    assert.equal(fs.readFileSync(lock.file, 'utf8').trim(), String(process.pid));
    lock.release();
    assert.ok(!fs.existsSync(lock.file));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a live holder is refused in-process too, with a typed error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-lock-'));
    const lock = acquireDataDirLock(dir, process.ppid);
    try {
      assert.throws(() => acquireDataDirLock(dir), (e: unknown) => isAppError(e, 'DATABASE_IN_USE') && e.message.includes(`pid ${process.ppid}`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      void lock;
    }
  });
});
