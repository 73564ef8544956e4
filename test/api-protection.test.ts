import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { parseConfig } from '../src/config/parse-config.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase, type Database } from '../src/db/open-database.ts';
import { createLogger, silentLogger, type Logger } from '../src/logger.ts';
import { startApiServer, type ApiServer } from '../src/server/start-api-server.ts';
import { countingEmbedder, loadRandomHeadlines, type CountingEmbedder } from './support/api-fixture.ts';
import { makeEmbeddedConfig } from './support/test-databases.ts';

const SEARCH = 'query Search($q: String!) { search(query: $q, first: 3) { edges { node { id } } } }';
const JSON_HEADERS = { 'content-type': 'application/json' };

// HTTP behaviour does not depend on the database mode; one embedded database serves every server here.
describe('API protection over HTTP [pglite]', () => {
  let database: Database;
  let cleanup: () => Promise<void>;
  let embedder: CountingEmbedder;
  const servers: ApiServer[] = [];

  before(async () => {
    const made = await makeEmbeddedConfig();
    cleanup = made.cleanup;
    database = await openDatabase(made.config, silentLogger);
    await migrateToLatest(database.db);
    await loadRandomHeadlines(database.db, 20);
    embedder = countingEmbedder();
  });
  after(async () => {
    for (const server of servers) await server.close();
    await database?.close();
    await cleanup?.();
  });

  async function serve(env: Record<string, string>, logger: Logger = silentLogger): Promise<ApiServer> {
    const server = await startApiServer({ database, embedder, modelId: 'test-model', logger, port: 0, settings: parseConfig(env) });
    servers.push(server);
    return server;
  }
  const search = (server: ApiServer, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify({ query: SEARCH, variables: { q: 'storm' } }) });
  const rejectedCount = async (server: ApiServer, reason: string) => Number(new RegExp(`headline_search_rejected_requests_total\\{reason="${reason}"\\} (\\d+)`).exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);

  test('rate limit: 429 with Retry-After and RateLimit headers past the burst; health, readiness and metrics never limited', async () => {
    const server = await serve({ RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3' });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await search(server);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit-limit'), '3');
      assert.equal(res.headers.get('ratelimit-policy'), '3;w=30');
      remaining.push(res.headers.get('ratelimit-remaining')!);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await search(server);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1 && Number(refused.headers.get('retry-after')) <= 10);
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    assert.ok(Number(refused.headers.get('ratelimit-reset')) > 0);
    const body = (await refused.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    assert.equal(body.errors[0]!.extensions.code, 'RATE_LIMITED');
    for (let i = 0; i < 10; i++) {
      for (const path of ['/healthz', '/readyz', '/metrics']) assert.equal((await fetch(`${server.url}${path}`)).status, 200, path);
    }
    assert.equal(await rejectedCount(server, 'rate_limited'), 1);
  });

  test('TRUST_PROXY: behind a trusted proxy each forwarded client has its own bucket; otherwise X-Forwarded-For is ignored', async () => {
    const behindProxy = await serve({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '1', TRUST_PROXY: 'loopback' });
    assert.equal((await search(behindProxy, { 'x-forwarded-for': '198.51.100.1' })).status, 200);
    assert.equal((await search(behindProxy, { 'x-forwarded-for': '198.51.100.1' })).status, 429);
    assert.equal((await search(behindProxy, { 'x-forwarded-for': '198.51.100.2' })).status, 200);
    assert.equal((await search(behindProxy, { 'x-forwarded-for': '198.51.100.2, 198.51.100.1' })).status, 429, 'the proxy appends the real client last');
    const direct = await serve({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '1' });
    assert.equal((await search(direct, { 'x-forwarded-for': '198.51.100.1' })).status, 200);
    assert.equal((await search(direct, { 'x-forwarded-for': '198.51.100.2' })).status, 429, 'a client cannot pick its own address');
    const off = await serve({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST: '1' });
    for (let i = 0; i < 5; i++) assert.equal((await search(off)).status, 200);
  });

  test('CORS: preflight from an allowed origin succeeds, from another origin gets no CORS headers; CSRF prevention stays on', async () => {
    const server = await serve({ CORS_ORIGINS: 'https://app.example.com,http://localhost:5173' });
    const preflight = (origin: string) =>
      fetch(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight('https://app.example.com');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /content-type/);
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const other = await preflight('https://evil.example.net');
    assert.deepEqual([...other.headers.keys()].filter((h) => h.startsWith('access-control-')), []);

    const actual = await search(server, { origin: 'http://localhost:5173' });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.match(actual.headers.get('access-control-expose-headers') ?? '', /Retry-After.*RateLimit-Remaining.*X-Request-Id/);
    const notListed = await search(server, { origin: 'https://evil.example.net' });
    assert.equal(notListed.headers.get('access-control-allow-origin'), null);

    // What a cross-site form could send without a preflight is still refused by Apollo.
    const simple = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://app.example.com' }, body: JSON.stringify({ query: '{ stats { headlines } }' }) });
    assert.equal(simple.status, 400);
    const get = (headers: Record<string, string>) => fetch(`${server.url}/graphql?query=${encodeURIComponent('{ stats { headlines } }')}`, { headers });
    assert.equal((await get({})).status, 400);
    assert.equal((await get({ 'apollo-require-preflight': 'true' })).status, 200);

    const any = await serve({ CORS_ORIGINS: '*' });
    assert.equal((await fetch(`${any.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' } })).headers.get('access-control-allow-origin'), '*');
    const none = await serve({});
    assert.equal((await search(none, { origin: 'https://app.example.com' })).headers.get('access-control-allow-origin'), null, 'default: same origin only');
  });

  test('concurrency guard: bounded in flight, a brief queue, then 503 SERVICE_UNAVAILABLE with Retry-After; health stays up', async () => {
    const server = await serve({ MAX_CONCURRENT_OPERATIONS: '1', OPERATION_QUEUE_SIZE: '1', OPERATION_QUEUE_TIMEOUT_MS: '300', RATE_LIMIT_PER_MINUTE: '0' });
    let open!: () => void;
    embedder.gate = new Promise((resolve) => (open = resolve));
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(check());
    };
    try {
      const first = search(server);
      await waitFor(() => server.guard.inFlight === 1);
      const second = search(server);
      await waitFor(() => server.guard.queued === 1);
      const third = await search(server);
      assert.equal(third.status, 503, 'queue full: refused at once');
      assert.equal(third.headers.get('retry-after'), '1');
      assert.equal(((await third.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'SERVICE_UNAVAILABLE');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      const timedOut = await second;
      assert.equal(timedOut.status, 503, 'waited its 300 ms in the queue, then refused');
      assert.equal(timedOut.headers.get('retry-after'), '1');
      open();
      assert.equal((await first).status, 200);
    } finally {
      embedder.gate = null;
      open();
    }
    assert.equal((await search(server)).status, 200);
    assert.equal(server.guard.inFlight, 0);
    assert.equal(await rejectedCount(server, 'overloaded'), 2);
  });

  test('/readyz asks the database every time, the migrations only once they are known current', async () => {
    const server = await serve({});
    let acquired = 0;
    const count = () => acquired++;
    database.pool.on('acquire', count);
    try {
      const probe = async () => {
        const before = acquired;
        assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
        return acquired - before;
      };
      const first = await probe();
      assert.ok(first > 1, `first probe: ${first} queries`);
      assert.equal(await probe(), 1);
      assert.equal(await probe(), 1);
    } finally {
      database.pool.off('acquire', count);
    }
  });

  test('a queued request gets the slot of one that finishes', async () => {
    const server = await serve({ MAX_CONCURRENT_OPERATIONS: '2', OPERATION_QUEUE_TIMEOUT_MS: '10000', RATE_LIMIT_PER_MINUTE: '0' });
    const statuses = await Promise.all(Array.from({ length: 12 }, () => search(server).then((r) => r.status)));
    assert.deepEqual(statuses, Array(12).fill(200));
    assert.equal(server.guard.inFlight, 0);
    assert.equal(server.guard.queued, 0);
  });

  test('production: introspection refused unless GRAPHQL_INTROSPECTION=true, no field suggestions in errors', async () => {
    const post = async (server: ApiServer, body: unknown) => {
      const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
      return (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> };
    };
    const typo = { query: '{ serch(query: "x") { edges { cursor } } }' };
    const badInput = { query: 'query($f: HeadlineFilter) { search(query: "x", filter: $f) { edges { cursor } } }', variables: { f: { fromm: '2010-01-01' } } };
    const development = await serve({});
    assert.match((await post(development, typo)).errors![0]!.message, /Did you mean "search"/, 'development keeps the hints');
    assert.match((await post(development, badInput)).errors![0]!.message, /Did you mean "from"/);
    assert.ok(((await post(development, { query: getIntrospectionQuery() })).data as { __schema: unknown }).__schema);

    const production = await serve({ NODE_ENV: 'production' });
    const introspection = await post(production, { query: getIntrospectionQuery() });
    assert.equal(introspection.data, undefined);
    assert.equal(introspection.errors![0]!.extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(introspection.errors![0]!.message, 'Introspection is disabled on this server.');
    assert.equal((await post(production, { query: '{ __type(name: "Headline") { fields { name } } }' })).data, undefined);
    for (const body of [typo, badInput]) {
      const answer = await post(production, body);
      assert.ok(answer.errors!.length > 0);
      assert.doesNotMatch(JSON.stringify(answer.errors), /Did you mean|"search"|"from"/, JSON.stringify(answer.errors));
    }
    assert.equal((await post(production, { query: SEARCH, variables: { q: 'floods' } })).errors, undefined, 'searches work as ever');

    const opened = await serve({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
    assert.ok(((await post(opened, { query: getIntrospectionQuery() })).data as { __schema: unknown }).__schema);
  });

  test('production logs: one JSON line per request with id, operation, status and duration, query text only when asked', async () => {
    const lines: string[] = [];
    const capture = (env: Record<string, string>) => serve(env, createLogger('info', (line) => lines.push(line), parseConfig(env).logFormat));
    const production = await capture({ NODE_ENV: 'production' });
    const res = await search(production, { 'x-request-id': 'req-123' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'req-123');
    await new Promise((r) => setTimeout(r, 50));
    const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'req-123');
    assert.ok(entry, lines.join(''));
    assert.equal(entry.level, 'info');
    assert.equal(entry.operation, 'Search');
    assert.equal(entry.status, 200);
    assert.equal(typeof entry.durationMs, 'number');
    assert.equal(typeof entry.time, 'string');
    assert.doesNotMatch(lines.join(''), /storm|query Search/, 'no query text by default');
    const generated = await search(production, { 'x-request-id': 'not a valid id!' });
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);

    lines.length = 0;
    const verbose = await capture({ NODE_ENV: 'production', LOG_QUERY_TEXT: 'true' });
    await search(verbose, { 'x-request-id': 'req-456' });
    await new Promise((r) => setTimeout(r, 50));
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'req-456');
    assert.match(String(logged?.query), /query Search/);
    assert.match(String(logged?.variables), /storm/);
  });

  test('slow, oversized and malformed bodies are refused and counted', async () => {
    const server = await serve({ REQUEST_TIMEOUT_MS: '500' });
    const port = new URL(server.url).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"query":`);
      });
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 10_000);
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.equal(await rejectedCount(server, 'request_timeout'), 1);
    assert.equal(await rejectedCount(server, 'malformed_json'), 0);

    const large = await fetch(`${server.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ query: SEARCH, variables: { q: 'x'.repeat(70_000) } }) });
    assert.equal(large.status, 413);
    const malformed = await fetch(`${server.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: '{"query": "{ stats { headlines } }"' });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code, 'BAD_REQUEST');
    assert.equal(await rejectedCount(server, 'body_too_large'), 1);
    assert.equal(await rejectedCount(server, 'malformed_json'), 1);
  });
});
