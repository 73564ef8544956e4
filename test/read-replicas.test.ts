import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openReadRouter } from '../src/app/open-read-router.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import type { ReadRouter } from '../src/db/read-router.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import type { QueryEmbedder } from '../src/embedding/query-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { loadFixture, queryEmbedder } from './support/graphql-fixture.ts';
import { createReplica, onServer, waitForReplay, type Replica } from '../scripts/lib/replica.ts';
import { startServeProcess } from './support/serve-process.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';

interface Page {
  edges: Array<{ cursor: string; similarity: number; score: number; matchedTerms: string[]; node: { id: string; text: string; publishedOn: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const PAGE = `edges { cursor similarity score matchedTerms node { id text publishedOn } } pageInfo { hasNextPage endCursor }`;
const SEARCH = `query($q: String!, $first: Int, $after: String, $mode: SearchMode, $filter: HeadlineFilter) { search(query: $q, first: $first, after: $after, mode: $mode, filter: $filter) { ${PAGE} } }`;
const SIMILAR = `query($id: ID!, $first: Int) { similar(id: $id, first: $first) { ${PAGE} } }`;
const QUERIES = ['drought hits farmers', 'council rates rise', 'police investigate crash', 'cricket world cup', 'hospital waiting lists', 'bushfire threatens homes'];
const MODES = ['SEMANTIC', 'HYBRID', 'KEYWORD'] as const;

async function gql<T = Record<string, unknown>>(server: ApiServer, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  assert.equal(body.errors, undefined, `GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

const searchPage = async (server: ApiServer, variables: Record<string, unknown>) => (await gql<{ search: Page }>(server, SEARCH, variables)).search;
const count = (reads: ReadRouter, name: string) => reads.status().find((p) => p.name === name)!.queries;

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000, state: () => unknown = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}: ${JSON.stringify(await state())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A real streaming replica of the test server (pg_basebackup -R into a cluster of its own),
// the API reading from it through DATABASE_READ_URLS. Server mode only: PGlite has no WAL sender.
describe('read replicas [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  let made: Awaited<ReturnType<typeof makeServerDatabase>>;
  let database: Database;
  let replica: Replica;
  let replicaUrl: string;
  let embedder: QueryEmbedder;
  let primaryOnly: ApiServer;
  const opened: Array<{ close(): Promise<void> }> = [];

  /** An API on the primary for writes and reads routed per `env` (DATABASE_READ_URLS = the replica). */
  async function apiWithReplica(env: Record<string, string> = {}): Promise<{ server: ApiServer; reads: ReadRouter }> {
    // Four search loops from one address outrun any per-client rate limit on a fast machine.
    const config = parseConfig({ DATABASE_URL: made.url, DATABASE_READ_URLS: replicaUrl, REPLICA_CHECK_INTERVAL_MS: '100', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', ...env });
    const reads = await openReadRouter(config, silentLogger, database);
    opened.push(reads);
    const server = await startApiServer({ database, reads, embedder, modelId: HASH_MODEL_ID, logger: silentLogger, port: 0, settings: config });
    opened.unshift(server);
    return { server, reads };
  }

  before(async () => {
    made = await makeServerDatabase();
    database = await openDatabase(made.config, silentLogger);
    await migrateToLatest(database.db);
    await loadFixture(database);
    embedder = await queryEmbedder();
    replica = await createReplica();
    replicaUrl = onServer(replica.url, made.url);
    await waitForReplay(made.url, replicaUrl);
    primaryOnly = await startApiServer({ database, embedder, modelId: HASH_MODEL_ID, logger: silentLogger, port: 0, settings: parseConfig({ RATE_LIMIT_PER_MINUTE: '0' }) });
  });

  after(async () => {
    for (const o of opened) await o.close().catch(() => undefined);
    await primaryOnly?.close();
    await replica?.destroy();
    await embedder?.close();
    await database?.close();
    await made?.cleanup();
  });

  test('reads are served by the replica, identical to the primary; cursors carry over between them', async () => {
    const { server, reads } = await apiWithReplica({ MAX_REPLICA_LAG_MS: '60000' });
    assert.equal(reads.status()[1]!.state, 'ok');
    for (const q of QUERIES) {
      for (const mode of MODES) {
        const variables = { q, mode, first: 15 };
        assert.deepEqual(await searchPage(server, variables), await searchPage(primaryOnly, variables), `${mode} "${q}"`);
      }
    }
    const filtered = { q: 'flood warning', first: 10, filter: { from: '2010-01-01', to: '2012-12-31' } };
    assert.deepEqual(await searchPage(server, filtered), await searchPage(primaryOnly, filtered));
    const someId = (await searchPage(server, { q: 'election', first: 1 })).edges[0]!.node.id;
    assert.deepEqual(await gql(server, SIMILAR, { id: someId, first: 10 }), await gql(primaryOnly, SIMILAR, { id: someId, first: 10 }));
    const headline = `query($id: ID!) { headline(id: $id) { id text publishedOn } }`;
    assert.deepEqual(await gql(server, headline, { id: someId }), await gql(primaryOnly, headline, { id: someId }));

    // Page 1 on the replica, page 2 on the primary, and the other way round: both equal one long page.
    const whole = (await searchPage(primaryOnly, { q: 'water restrictions', first: 20 })).edges.map((e) => e.node.id);
    const fromReplica = await searchPage(server, { q: 'water restrictions', first: 10 });
    const thenPrimary = await searchPage(primaryOnly, { q: 'water restrictions', first: 10, after: fromReplica.pageInfo.endCursor });
    assert.deepEqual([...fromReplica.edges, ...thenPrimary.edges].map((e) => e.node.id), whole);
    const fromPrimary = await searchPage(primaryOnly, { q: 'water restrictions', first: 10 });
    const thenReplica = await searchPage(server, { q: 'water restrictions', first: 10, after: fromPrimary.pageInfo.endCursor });
    assert.deepEqual([...fromPrimary.edges, ...thenReplica.edges].map((e) => e.node.id), whole);

    // Every one of those reads went to the replica, none to the primary.
    assert.ok(count(reads, 'replica-1') >= QUERIES.length * MODES.length + 5, `replica answered ${count(reads, 'replica-1')}`);
    assert.equal(count(reads, 'primary'), 0);

    const stats = await gql<{ stats: { headlines: number; replicaLagMs: number | null } }>(server, '{ stats { headlines replicaLagMs } }');
    assert.equal(typeof stats.stats.replicaLagMs, 'number');
    assert.ok(stats.stats.replicaLagMs! >= 0 && stats.stats.replicaLagMs! <= 60_000);
    const primaryStats = await gql<{ stats: { headlines: number; replicaLagMs: number | null } }>(primaryOnly, '{ stats { headlines replicaLagMs } }');
    assert.equal(primaryStats.stats.replicaLagMs, null);
    assert.equal(stats.stats.headlines, primaryStats.stats.headlines);

    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; checks: { replicas: string } };
    assert.equal(ready.checks.replicas, '1 of 1 in rotation');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`headline_search_read_pool_queries_total\\{pool="replica-1"\\} ${count(reads, 'replica-1')}\\b`));
    assert.match(metrics, /headline_search_read_pool_in_rotation\{pool="replica-1"\} 1/);
    assert.match(metrics, /headline_search_replica_lag_seconds\{pool="replica-1"\} \d/);
  });

  test('stopping the replica under load fails no search (the primary answers); it rejoins once restarted', async () => {
    const { server, reads } = await apiWithReplica({ MAX_REPLICA_LAG_MS: '60000' });
    let done = 0;
    const failures: string[] = [];
    let stopAt = Infinity;
    const load = async (worker: number) => {
      for (let i = 0; done < stopAt; i++) {
        const q = QUERIES[(worker + i) % QUERIES.length]!;
        try {
          const page = await searchPage(server, { q, mode: MODES[i % MODES.length], first: 10 });
          assert.ok(page.edges.length > 0 || MODES[i % MODES.length] === 'KEYWORD');
        } catch (error) {
          failures.push((error as Error).message);
        }
        done++;
      }
    };
    const running = Promise.all([0, 1, 2, 3].map(load));
    await until('some searches ran on the replica', () => count(reads, 'replica-1') >= 20);
    const beforeStop = done;
    await replica.stop();
    try {
      await until('searches ran with the replica stopped', () => done >= beforeStop + 80);
      stopAt = done;
      await running;
      assert.deepEqual(failures, [], 'no search failed while the replica went away');
      assert.ok(count(reads, 'primary') > 0, 'the primary took the reads');
      assert.equal(reads.status()[1]!.state, 'down');
      const readyDown = await fetch(`${server.url}/readyz`);
      assert.equal(readyDown.status, 200, 'no replica is no reason to stop serving');
      assert.match(((await readyDown.json()) as { checks: { replicas: string } }).checks.replicas, /^none in rotation, reads on the primary \(replica-1 down\)/);
      assert.match(await (await fetch(`${server.url}/metrics`)).text(), /headline_search_read_pool_in_rotation\{pool="primary"\} 1/);
    } finally {
      // Restarted whatever happened above, so that a failure here is not also every later test's.
      stopAt = done;
      await running;
      await replica.start();
    }
    await until('the replica is back in rotation', () => reads.status()[1]!.state === 'ok');
    // Back in rotation means answering and not behind; it streams from the primary again too.
    await waitForReplay(made.url, replicaUrl);
    const onReplica = count(reads, 'replica-1');
    const onPrimary = count(reads, 'primary');
    for (const q of QUERIES) await searchPage(server, { q, first: 5 });
    assert.ok(count(reads, 'replica-1') >= onReplica + QUERIES.length, 'the replica answers again');
    assert.equal(count(reads, 'primary'), onPrimary);
  });

  test('a replica with replay paused leaves the rotation past MAX_REPLICA_LAG_MS and returns once resumed', async () => {
    await waitForReplay(made.url, replicaUrl);
    const { server, reads } = await apiWithReplica({ MAX_REPLICA_LAG_MS: '1500' });
    await until('the replica is in rotation', () => reads.status()[1]!.state === 'ok');
    const onReplica = new pg.Client({ connectionString: replicaUrl });
    await onReplica.connect();
    try {
      await onReplica.query('select pg_wal_replay_pause()');
      // A write the paused replica does not have: the newest headline.
      const { rows } = await sql<{ id: string }>`
        insert into headlines (published_on, text, embedding, embedding_reduced)
        select '2022-01-01', 'replica lag canary', embedding, embedding_reduced from headlines order by id limit 1
        returning id`.execute(database.db);
      const id = rows[0]!.id;
      // It has the write's WAL, and does not apply it.
      await waitForReplay(made.url, replicaUrl, 60_000, true);
      await until('the replica is behind', () => reads.status()[1]!.state === 'behind', 30_000, async () => ({
        pools: reads.status(),
        replica: (await onReplica.query('select pg_get_wal_replay_pause_state() as pause, pg_last_wal_receive_lsn()::text as received, pg_last_wal_replay_lsn()::text as replayed, pg_last_xact_replay_timestamp()::text as replayed_at')).rows[0],
      }));
      assert.ok(reads.status()[1]!.lagMs! > 1500);
      const onPrimary = count(reads, 'primary');
      const headline = `query($id: ID!) { headline(id: $id) { text } }`;
      assert.deepEqual(await gql(server, headline, { id }), { headline: { text: 'replica lag canary' } }, 'read from the primary, which has the row');
      assert.equal(count(reads, 'primary'), onPrimary + 1);
      const stats = await gql<{ stats: { replicaLagMs: number | null } }>(server, '{ stats { replicaLagMs } }');
      assert.equal(stats.stats.replicaLagMs, null, 'no replica in rotation: stats read the primary');
      assert.equal((await onReplica.query('select count(*)::int as n from headlines where id = $1', [id])).rows[0].n, 0, 'the replica really is behind');

      await onReplica.query('select pg_wal_replay_resume()');
      await until('the replica is back in rotation', () => reads.status()[1]!.state === 'ok', 30_000);
      const servedByReplica = count(reads, 'replica-1');
      assert.deepEqual(await gql(server, headline, { id }), { headline: { text: 'replica lag canary' } }, 'the caught-up replica has the row');
      assert.equal(count(reads, 'replica-1'), servedByReplica + 1);
    } finally {
      await onReplica.query('select pg_wal_replay_resume()').catch(() => undefined);
      await onReplica.end();
    }
  });

  test('a replica unreachable from the start: the API starts, reads go to the primary, /readyz says why', async () => {
    const { server, reads } = await apiWithReplica({ DATABASE_READ_URLS: `${replicaUrl},postgres://postgres@127.0.0.1:1/nowhere` });
    await until('replica-1 is in rotation', () => reads.status()[1]!.state === 'ok');
    assert.equal(reads.status()[2]!.state, 'down');
    for (const q of QUERIES) assert.ok((await searchPage(server, { q, first: 5, mode: 'SEMANTIC' })).edges.length === 5);
    assert.equal(count(reads, 'replica-2'), 0);
    assert.ok(count(reads, 'replica-1') >= QUERIES.length);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; checks: { replicas: string } };
    assert.equal(ready.checks.replicas, '1 of 2 in rotation (replica-2 down)');
  });

  test('`headlines serve` with DATABASE_READ_URLS reads on the replica', async () => {
    const serve = await startServeProcess({ DATABASE_URL: made.url, DATABASE_READ_URLS: replicaUrl, EMBED_MODEL: 'hash' });
    try {
      await until('the server is ready', async () => (await fetch(`${serve.url}/readyz`)).status === 200);
      const ready = (await (await fetch(`${serve.url}/readyz`)).json()) as { checks: { replicas: string } };
      assert.equal(ready.checks.replicas, '1 of 1 in rotation');
      const response = await fetch(`${serve.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SEARCH, variables: { q: QUERIES[0], first: 15 } }) });
      const served = ((await response.json()) as { data: { search: Page } }).data.search;
      assert.deepEqual(served, await searchPage(primaryOnly, { q: QUERIES[0], first: 15 }));
      const metrics = await (await fetch(`${serve.url}/metrics`)).text();
      assert.match(metrics, /headline_search_read_pool_queries_total\{pool="replica-1"\} [1-9]/);
      assert.match(metrics, /headline_search_read_pool_queries_total\{pool="primary"\} 0\b/);
      assert.match(serve.log(), /read pool replica-1: ok/);
    } finally {
      await serve.stop();
    }
  });
});
