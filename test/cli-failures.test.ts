import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CleanupStack } from '../src/app/cleanup-stack.ts';
import { runCli } from './support/run-cli.ts';
import { TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';
import { seededDataDir } from './support/embedded-template.ts';

const oneLine = (stderr: string) => {
  assert.equal(stderr.trimEnd().split('\n').length, 1, `one line, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at |unexpected error/);
};

describe('database connection failures: one line, the URL without its password, what to do, exit 1', () => {
  const every = [['migrate'], ['migrate', '--status'], ['start', '--no-serve'], ['serve', '--port', '0'], ['ingest', 'data/demo-headlines.csv'], ['search', 'floods'], ['embed-queries'], ['grant-analyst', 'analyst'], ['reindex'], ['embed', '--projected']];

  test('connection refused, for every command that opens the database', async () => {
    for (const args of every) {
      const { code, stdout, stderr } = await runCli(args, { DATABASE_URL: 'postgres://nope:s3cret@127.0.0.1:1/x' }, 'text\n');
      assert.equal(code, 1, `${args.join(' ')}: ${stderr}`);
      oneLine(stderr);
      assert.match(stderr, /^headlines: Cannot connect to the database at postgres:\/\/nope:\*\*\*@127\.0\.0\.1:1\/x: connection refused\. .*DATABASE_URL/, args.join(' '));
      assert.doesNotMatch(stdout + stderr, /s3cret/);
    }
  });

  test('unknown host', async () => {
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: 'postgres://u:pw@no-such-host.invalid:5432/x' });
    assert.equal(code, 1);
    oneLine(stderr);
    assert.match(stderr, /at postgres:\/\/u:\*\*\*@no-such-host\.invalid:5432\/x: unknown host "no-such-host\.invalid"\. Check the host name in DATABASE_URL\./);
  });

  test('no answer within DATABASE_CONNECT_TIMEOUT_MS', async () => {
    // Accepts connections and never says a word, like a firewall that drops packets.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: `postgres://u@127.0.0.1:${port}/x`, DATABASE_CONNECT_TIMEOUT_MS: '500' });
      assert.equal(code, 1);
      oneLine(stderr);
      assert.match(stderr, /no answer within 500 ms\. .*DATABASE_CONNECT_TIMEOUT_MS/);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      silent.close();
    }
  });

  const server = TEST_DATABASE_URL ? new URL(TEST_DATABASE_URL) : null;
  test('authentication failed (a role the server does not know)', { skip: server ? false : NO_SERVER }, async () => {
    const url = new URL(server!);
    url.username = 'no_such_role';
    url.password = 'pw';
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: url.toString() });
    assert.equal(code, 1);
    oneLine(stderr);
    assert.match(stderr, /no_such_role:\*\*\*@.*: authentication failed for user "no_such_role" .*Check the user and password in DATABASE_URL\./);
  });

  test('the database does not exist', { skip: server ? false : NO_SERVER }, async () => {
    const url = new URL(server!);
    url.pathname = '/no_such_database';
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: url.toString() });
    assert.equal(code, 1);
    oneLine(stderr);
    assert.match(stderr, /database "no_such_database" does not exist\. Create it \(createdb no_such_database\)/);
  });
});

describe('a start-up step that fails closes what was opened', () => {
  test('CleanupStack: a failing step closes the earlier ones newest first, even when a closer fails', async () => {
    const closed: string[] = [];
    await assert.rejects(
      CleanupStack.build(async (stack) => {
        await stack.open(() => 'database', async (r) => void closed.push(r));
        await stack.open(() => 'model', async () => {
          closed.push('model');
          throw new Error('close failed');
        });
        await stack.open(() => 'server', async (r) => void closed.push(r));
        await stack.open(() => Promise.reject(new Error('LISTEN failed')), async () => void closed.push('never opened'));
      }),
      /LISTEN failed/,
    );
    assert.deepEqual(closed, ['server', 'model', 'database']);
  });

  test('serve on a port in use: one line, exit 1, and the embedded database is closed (its lock released)', async () => {
    const dir = await seededDataDir('hs-busy-');
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, resolve));
    const { port } = busy.address() as net.AddressInfo;
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash', LOG_LEVEL: 'error' };
      assert.equal((await runCli(['migrate'], env)).code, 0);
      const { code, stderr } = await runCli(['serve', '--port', String(port)], env);
      assert.equal(code, 1);
      oneLine(stderr);
      assert.match(stderr, new RegExp(`^headlines: Port ${port} is already in use; set PORT or pass --port`));
      assert.ok(!fs.existsSync(path.join(dir, 'headline-search.pid')), 'the embedded database was closed');
      // ...so the same process can open it again.
      assert.equal((await runCli(['migrate'], env)).code, 0);
    } finally {
      busy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
