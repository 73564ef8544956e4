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
const SEARCH = '{ search(query: "bushfire threatens homes", first: 5) { edges { node { id } } } }';

/** Resolves once `condition` holds, checking every few milliseconds (no deadline: the suite's timeout is the bound). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
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
    await until(() => server.guard.inFlight + server.guard.queued > held);
    if (server.guard.inFlight > running) await until(async () => (await atWork()) > working);
    controller.abort();
    await answered;
    await until(() => hangUps() > hungUp);
  }

  test(`never more than MAX_CONCURRENT_OPERATIONS (${MAX}) of its statements run in pg_stat_activity`, async (t) => {
    if (get().mode === 'embedded') return t.skip('PGlite runs one statement at a time; the guard is shown over the embedder below');
    const url = get().config.databaseUrl!;
    const locker = new pg.Client({ connectionString: url });
    const observer = new pg.Client({ connectionString: url });
    await locker.connect();
    await observer.connect();
    try {
      // Every search blocks on this lock: a slow statement that stays in pg_stat_activity until the lock goes.
      await locker.query('begin');
      await locker.query('lock table headlines in access exclusive mode');
      const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const running = async () =>
        (await observer.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and state = 'active' and pid not in (pg_backend_pid(), $1)`, [lockerPid])).rows[0]!.n;
      let peak = 0;
      for (let i = 0; i < N; i++) {
        await sendAndHangUp(running);
        peak = Math.max(peak, await running());
      }
      assert.equal(peak, MAX, `peak statements running after ${N} hang-ups`);
      await locker.query('commit');
      await until(() => server.guard.inFlight === 0 && server.guard.queued === 0);
      assert.equal(await running(), 0);
    } finally {
      await locker.end();
      await observer.end();
    }
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
    await until(() => server.guard.inFlight === 0 && server.guard.queued === 0);
    assert.equal(embedder.calls - calls, MAX, 'the queued operations whose clients left never ran');
  });
}, { statementTimeoutMs: 0 });
