import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { parseConfig } from '../src/config/parse-config.ts';
import { createLogger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines, type CountingEmbedder } from './support/api-fixture.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const MAX = 2;
const N = 6;
/** How long a wait may last before it fails the test: far beyond what any step takes on a loaded machine. */
const WAIT_MS = 120_000;
const SEARCH = '{ search(query: "bushfire threatens homes", first: 5) { edges { node { id } } } }';

/**
 * Resolves once `condition` holds, checking every few milliseconds. A condition that never
 * holds fails the test, naming what it waited for and the guard's state, instead of
 * holding the whole run (node:test files have no timeout of their own).
 */
async function until(what: string, condition: () => boolean | Promise<boolean>, state: () => string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`waited ${WAIT_MS / 1000} s for ${what}; ${state()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase('a client that hangs up on each of its slow operations', (get) => {
  let server: ApiServer;
  let embedder: CountingEmbedder;
  const logged: string[] = [];

  before(async () => {
    await loadRandomHeadlines(get().database.db, 20);
    embedder = countingEmbedder();
    const settings = parseConfig({ MAX_CONCURRENT_OPERATIONS: String(MAX), OPERATION_QUEUE_TIMEOUT_MS: '600000', RATE_LIMIT_PER_MINUTE: '0' });
    server = await startApiServer({ database: get().database, embedder, modelId: 'test-model', logger: createLogger('debug', (line) => logged.push(line)), port: 0, settings });
  });
  after(async () => {
    await server?.close();
  });

  const guardState = () => `in flight ${server.guard.inFlight}, queued ${server.guard.queued}, hang-ups logged ${hangUps()}`;
  const hangUps = () => logged.filter((line) => /POST \/graphql aborted/.test(line)).length;

  /**
   * Sends one operation and waits until the server holds it: queued, or running with its
   * work (`atWork`) seen to grow. Then hangs up, and waits until the server has seen that.
   */
  async function sendAndHangUp(atWork: () => number | Promise<number>): Promise<void> {
    const held = server.guard.inFlight + server.guard.queued;
    const running = server.guard.inFlight;
    const working = await atWork();
    const hungUp = hangUps();
    const controller = new AbortController();
    const answered = fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SEARCH }), signal: controller.signal }).catch(() => null);
    await until('the server to hold the operation', () => server.guard.inFlight + server.guard.queued > held, guardState);
    if (server.guard.inFlight > running) await until(`its work to start (${working} at work before)`, async () => (await atWork()) > working, guardState);
    controller.abort();
    await answered;
    await until('the server to log the hang-up', () => hangUps() > hungUp, guardState);
  }

  /**
   * Runs `body` while a transaction of the test's holds headlines locked, so every search
   * blocks: a slow statement that stays in pg_stat_activity until `unlock`. `running` counts
   * the statements running in the suite's database, the test's own left out; `started` counts
   * every statement seen running so far. A new operation's work shows in `started`, not always
   * in `running`: the statement of an operation already hung up on may still be leaving
   * pg_stat_activity while the next one arrives, so the count of those running need not grow.
   */
  async function withHeadlinesLocked(
    body: (running: () => Promise<number>, started: () => Promise<number>, unlock: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const url = get().config.databaseUrl!;
    const locker = new pg.Client({ connectionString: url });
    const observer = new pg.Client({ connectionString: url });
    await locker.connect();
    await observer.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table headlines in access exclusive mode');
      const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const seen = new Set<string>();
      const active = async () => {
        const { rows } = await observer.query<{ statement: string }>(
          `select pid || ' ' || query_start as statement from pg_stat_activity where datname = current_database() and state = 'active' and pid not in (pg_backend_pid(), $1)`,
          [lockerPid],
        );
        for (const row of rows) seen.add(row.statement);
        return rows.length;
      };
      const started = async () => {
        await active();
        return seen.size;
      };
      await body(active, started, async () => void (await locker.query('commit')));
    } finally {
      await locker.end();
      await observer.end();
    }
  }

  test(`never more than MAX_CONCURRENT_OPERATIONS (${MAX}) of its statements run in pg_stat_activity`, async (t) => {
    if (get().mode === 'embedded') return t.skip('PGlite runs one statement at a time; the guard is shown over the embedder below');
    await withHeadlinesLocked(async (running, started, unlock) => {
      // One slow operation after another, the client hanging up on each once the server holds it.
      let peak = 0;
      const observed = async () => {
        peak = Math.max(peak, await running());
        return started();
      };
      for (let i = 0; i < N; i++) {
        const held = server.guard.inFlight + server.guard.queued;
        await sendAndHangUp(observed);
        // Until the server has dealt with the hang-up: at once if it freed the slot on hang-up, once the
        // statement is cancelled if it cancels; bounded, as a server that let it run on the lock never would.
        for (let k = 0; k < 2000 && server.guard.inFlight + server.guard.queued > held; k++) {
          await observed();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await observed();
      }
      assert.ok(peak >= 1, 'the operations ran');
      assert.ok(peak <= MAX, `peak statements running after ${N} hang-ups: ${peak}`);
      await unlock();
      await until('every slot to be free', () => server.guard.inFlight === 0 && server.guard.queued === 0, guardState);
    });
  });

  test('a statement whose client hung up is cancelled, and its slot freed, while what it waits for is still held', async (t) => {
    if (get().mode === 'embedded') return t.skip('PGlite takes no cancel requests: its statements run to their end, holding the slot');
    await withHeadlinesLocked(async (waiting, started, unlock) => {
      await sendAndHangUp(started);
      // Bounded, not timed: the lock is held throughout, so without a cancel neither would ever happen.
      for (let i = 0; i < 1000 && (server.guard.inFlight > 0 || (await waiting()) > 0); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await waiting(), 0, 'the statement was cancelled');
      assert.equal(server.guard.inFlight, 0, 'its slot is free');
      await unlock();
      const answer = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: SEARCH }) });
      assert.equal(((await answer.json()) as { errors?: unknown }).errors, undefined, 'the pool serves the next operation');
    });
  });

  test(`never more than MAX_CONCURRENT_OPERATIONS (${MAX}) operations at work: each holds its slot until its execution ends`, async () => {
    let open!: () => void;
    embedder.gate = new Promise<void>((resolve) => (open = resolve));
    const calls = embedder.calls;
    let peak = 0;
    for (let i = 0; i < N; i++) {
      await sendAndHangUp(() => embedder.calls);
      peak = Math.max(peak, embedder.calls - calls);
    }
    assert.equal(peak, MAX, `operations at work after ${N} hang-ups`);
    embedder.gate = null;
    open();
    await until('every slot to be free', () => server.guard.inFlight === 0 && server.guard.queued === 0, guardState);
    assert.equal(embedder.calls - calls, MAX, 'the queued operations whose clients left never ran');
  });
}, { statementTimeoutMs: 0 });
