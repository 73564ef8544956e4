import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { connectPool, type Database } from '../src/db/open-database.ts';
import { createQueryEmbedder } from '../src/embedding/query-embedder.ts';
import { createLogger, silentLogger } from '../src/logger.ts';
import { jsonErrors } from '../src/server/json-errors.ts';
import { requestLogger } from '../src/server/request-logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines } from './support/api-fixture.ts';
import { describeEachDatabase, makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

type Answer = { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
const post = async (url: string, query: string) => {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { requestId: res.headers.get('x-request-id'), body: (await res.json()) as Answer };
};
const INTERNALS = /ECONNREFUSED|127\.0\.0\.1|localhost|hs_secret_role|hs_test_|postgres:\/\/|select |at .*\.ts:\d+/i;

describeEachDatabase('a query model that failed to load, as clients and the log see it', (get) => {
  test('clients get SERVICE_UNAVAILABLE in a fixed sentence; the reason goes to the log with the request id', async () => {
    const logged: string[] = [];
    const embedder = createQueryEmbedder(Promise.reject(new Error('cannot read /srv/models/use-lite/weights.bin')), { cacheSize: 0 });
    const server = await startApiServer({ database: get().database, embedder, modelId: 'broken', logger: createLogger('error', (line) => logged.push(line)), port: 0 });
    try {
      const { requestId, body } = await post(server.url, '{ search(query: "floods") { edges { similarity } } }');
      assert.equal(body.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
      assert.doesNotMatch(JSON.stringify(body), /srv\/models|weights\.bin|cannot read/);
      const line = logged.find((l) => l.includes('weights.bin'));
      assert.ok(line, logged.join('\n'));
      assert.ok(requestId && line.includes(`reqId=${requestId}`), line);
    } finally {
      await server.close();
    }
  });
});

describeEachDatabase(
  'a statement that runs past STATEMENT_TIMEOUT_MS',
  (get) => {
    let server: ApiServer;
    before(async () => {
      await loadRandomHeadlines(get().database.db, 20);
      server = await startApiServer({ database: get().database, embedder: countingEmbedder(), modelId: 'test-model', logger: silentLogger, port: 0 });
    });
    after(async () => {
      await server?.close();
    });

    test('is OPERATION_TIMED_OUT, not an invitation to retry as an outage would be', async (t) => {
      if (get().mode === 'embedded') return t.skip('PGlite has no statement timeout');
      const locker = new pg.Client({ connectionString: get().config.databaseUrl });
      await locker.connect();
      try {
        // The search waits on this lock until its statement timeout cancels it (SQLSTATE 57014).
        await locker.query('begin');
        await locker.query('lock table headlines in access exclusive mode');
        const { body } = await post(server.url, '{ search(query: "bushfire", first: 3) { edges { node { id } } } }');
        assert.equal(body.errors?.[0]?.extensions?.code, 'OPERATION_TIMED_OUT');
        assert.doesNotMatch(body.errors![0]!.message, /try again|unavailable/i);
        assert.doesNotMatch(JSON.stringify(body), INTERNALS);
      } finally {
        await locker.query('rollback');
        await locker.end();
      }
    });
  },
  { statementTimeoutMs: 300 },
);

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('/readyz with the database unreachable [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  let made: Awaited<ReturnType<typeof makeServerDatabase>>;
  before(async () => {
    made = await makeServerDatabase();
  });
  after(async () => {
    await made?.cleanup();
  });

  for (const [title, reason, url] of [
    ['a role that does not exist', 'authentication failed', async () => Object.assign(new URL(made.url), { username: 'hs_secret_role' }).toString()],
    ['nothing listening', 'connection refused', async () => Object.assign(new URL(made.url), { port: String(await closedPort()) }).toString()],
  ] as const) {
    test(`${title}: 503 "unreachable: ${reason}", no host, port or user in the answer; the driver's error in the log`, async () => {
      const connectionString = await url();
      const { pool, db } = connectPool(connectionString, parseConfig({ DATABASE_CONNECT_TIMEOUT_MS: '5000' }), silentLogger);
      const database: Database = { mode: 'server', db, pool, connectionString, embedded: null, vectorExtension: { available: '0.8.6', installed: '0.8.6' }, close: () => db.destroy() };
      const logged: string[] = [];
      const server = await startApiServer({ database, embedder: countingEmbedder(), modelId: 'test-model', logger: createLogger('warn', (line) => logged.push(line)), port: 0 });
      try {
        const res = await fetch(`${server.url}/readyz`);
        assert.equal(res.status, 503);
        const text = await res.text();
        assert.equal((JSON.parse(text) as { checks: { database: string } }).checks.database, `unreachable: ${reason}`);
        assert.doesNotMatch(text, INTERNALS);
        assert.doesNotMatch(text, new RegExp(new URL(connectionString).port));
        assert.ok(logged.some((l) => /readiness: database unreachable/.test(l)), logged.join('\n'));
      } finally {
        await server.close();
        await database.close();
      }
    });
  }
});

describe('unexpected errors in the HTTP layer', () => {
  test('answer 500 INTERNAL_SERVER_ERROR with nothing internal, and are logged with the request id', async () => {
    const logged: string[] = [];
    const logger = createLogger('error', (line) => logged.push(line));
    const app = express();
    app.use(requestLogger(logger, { atInfo: false, includeQueryText: false }));
    app.get('/fails', () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432 for hs_secret_role');
    });
    app.use(jsonErrors(logger, '64kb'));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(listening.address() as net.AddressInfo).port}/fails`);
      assert.equal(res.status, 500);
      const body = (await res.json()) as Answer;
      assert.deepEqual(body, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      const id = res.headers.get('x-request-id')!;
      // The request log is written when the response closes, just after the client has it.
      for (let i = 0; i < 500 && !logged.some((l) => l.includes('GET /fails')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const cause = logged.find((l) => l.includes('ECONNREFUSED'));
      assert.ok(cause?.includes(`reqId=${id}`), logged.join('\n'));
      assert.ok(logged.some((l) => l.includes('GET /fails 500') && l.includes(`reqId=${id}`)), 'the 5xx itself, at error level');
    } finally {
      await new Promise((resolve) => listening.close(resolve));
    }
  });
});
