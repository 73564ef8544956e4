import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../src/config/parse-config.ts';
import { isAppError } from '../src/errors/app-error.ts';

test('defaults: embedded database under ./.data, port 4000, embedded port 5433', () => {
  const config = parseConfig({}, '/srv/app');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, path.resolve('/srv/app/.data'));
  assert.equal(config.port, 4000);
  assert.equal(config.embeddedDbPort, 5433);
  assert.equal(config.logLevel, 'info');
  assert.ok(Object.isFrozen(config));
});

test('explicit values are parsed', () => {
  const config = parseConfig(
    { DATABASE_URL: 'postgres://u:p@db:5432/x', DATA_DIR: 'var/hs', PORT: '8080', LOG_LEVEL: 'DEBUG', EMBEDDED_DB_PORT: '0' },
    '/srv',
  );
  assert.equal(config.databaseUrl, 'postgres://u:p@db:5432/x');
  assert.equal(config.dataDir, '/srv/var/hs');
  assert.equal(config.port, 8080);
  assert.equal(config.embeddedDbPort, 0);
  assert.equal(config.logLevel, 'debug');
});

test('every bad variable is named in one error, and passwords are not echoed', () => {
  assert.throws(
    () => parseConfig({ DATABASE_URL: 'mysql://root:secret@x/db', PORT: 'eighty', LOG_LEVEL: 'loud', EMBEDDED_DB_PORT: '70000' }),
    (error: unknown) => {
      assert.ok(isAppError(error, 'CONFIG_INVALID'));
      for (const name of ['DATABASE_URL', 'PORT', 'LOG_LEVEL', 'EMBEDDED_DB_PORT']) assert.match(error.message, new RegExp(`\\b${name}\\b`));
      assert.doesNotMatch(error.message, /secret/);
      return true;
    },
  );
});

test('port 0 (any free port) is allowed; negative or fractional ports are not', () => {
  assert.equal(parseConfig({ PORT: '0', EMBEDDED_DB_PORT: '0' }).port, 0);
  assert.throws(() => parseConfig({ PORT: '-1' }), /PORT="-1"/);
  assert.throws(() => parseConfig({ EMBEDDED_DB_PORT: '54.3' }), /EMBEDDED_DB_PORT="54.3"/);
});

test('embedding runtime: auto by default, onnx accepted, query threads bounded', () => {
  const defaults = parseConfig({});
  assert.equal(defaults.embedBackend, 'auto');
  assert.equal(defaults.embedQueryThreads, 1);
  const onnx = parseConfig({ EMBED_BACKEND: 'ONNX', EMBED_QUERY_THREADS: '2' });
  assert.equal(onnx.embedBackend, 'onnx');
  assert.equal(onnx.embedQueryThreads, 2);
  assert.throws(
    () => parseConfig({ EMBED_BACKEND: 'cuda', EMBED_QUERY_THREADS: '0' }),
    (e: unknown) => isAppError(e, 'CONFIG_INVALID') && /EMBED_BACKEND="cuda": expected auto or one of onnx, wasm/.test(e.message) && /EMBED_QUERY_THREADS/.test(e.message),
  );
});

test('API protection: safe defaults; production turns introspection off and logs JSON', () => {
  const defaults = parseConfig({});
  assert.equal(defaults.production, false);
  assert.equal(defaults.graphqlIntrospection, true);
  assert.equal(defaults.logFormat, 'text');
  assert.equal(defaults.logQueryText, false);
  assert.deepEqual(defaults.operationLimits, { maxTokens: 1000, maxFields: 200, maxDepth: 6, maxAliases: 15, maxCost: 1000 });
  assert.deepEqual(defaults.rateLimit, { perMinute: 600, burst: 100 });
  assert.deepEqual(defaults.concurrency, { maxInFlight: 6, queueTimeoutMs: 5000, maxQueued: 512 });
  assert.equal(defaults.requestTimeoutMs, 10_000);
  assert.equal(defaults.trustProxy, false);
  assert.deepEqual(defaults.corsOrigins, []);
  assert.ok(Object.isFrozen(defaults.operationLimits) && Object.isFrozen(defaults.rateLimit) && Object.isFrozen(defaults.concurrency));
  const production = parseConfig({ NODE_ENV: 'production' });
  assert.equal(production.production, true);
  assert.equal(production.nodeEnv, 'production');
  assert.equal(production.graphqlIntrospection, false);
  assert.equal(production.logFormat, 'json');
  const overridden = parseConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', LOG_FORMAT: 'text', LOG_QUERY_TEXT: 'yes' });
  assert.deepEqual([overridden.graphqlIntrospection, overridden.logFormat, overridden.logQueryText], [true, 'text', true]);
});

test('API protection: explicit values are parsed', () => {
  const config = parseConfig({
    GRAPHQL_MAX_TOKENS: '2000', GRAPHQL_MAX_FIELDS: '50', GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_ALIASES: '0', GRAPHQL_MAX_COST: '300',
    RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST: '5',
    MAX_CONCURRENT_OPERATIONS: '3', OPERATION_QUEUE_TIMEOUT_MS: '0', OPERATION_QUEUE_SIZE: '10',
    CORS_ORIGINS: 'https://app.example.com, http://localhost:5173', REQUEST_TIMEOUT_MS: '2500',
  });
  assert.deepEqual(config.operationLimits, { maxTokens: 2000, maxFields: 50, maxDepth: 8, maxAliases: 0, maxCost: 300 });
  assert.deepEqual(config.rateLimit, { perMinute: 0, burst: 5 });
  assert.deepEqual(config.concurrency, { maxInFlight: 3, queueTimeoutMs: 0, maxQueued: 10 });
  assert.deepEqual(config.corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
  assert.equal(config.requestTimeoutMs, 2500);
  assert.equal(parseConfig({ CORS_ORIGINS: '*' }).corsOrigins, '*');
  assert.equal(parseConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7' }).trustProxy, ['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
});

test('TRUST_PROXY=true is refused at start, naming the safe forms (a hop count, proxy addresses or subnets)', () => {
  for (const raw of ['true', 'TRUE', ' True ']) {
    assert.throws(
      () => parseConfig({ TRUST_PROXY: raw }),
      (error: unknown) => {
        assert.ok(isAppError(error, 'CONFIG_INVALID'));
        assert.match(error.message, /TRUST_PROXY=true .*X-Forwarded-For.*number of proxy hops.*addresses or subnets \(10\.0\.0\.0\/8, loopback, uniquelocal\)/);
        return true;
      },
    );
  }
  assert.equal(parseConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
});

test('API protection: every bad variable is named in one error', () => {
  const bad = {
    GRAPHQL_MAX_TOKENS: '5', GRAPHQL_MAX_COST: 'lots', RATE_LIMIT_BURST: '0', MAX_CONCURRENT_OPERATIONS: '-1',
    TRUST_PROXY: '10.0.0.0/33', CORS_ORIGINS: 'https://app.example.com/path', LOG_FORMAT: 'xml', GRAPHQL_INTROSPECTION: 'maybe', REQUEST_TIMEOUT_MS: '5',
  };
  assert.throws(
    () => parseConfig(bad),
    (error: unknown) => {
      assert.ok(isAppError(error, 'CONFIG_INVALID'));
      for (const name of Object.keys(bad)) assert.match(error.message, new RegExp(`\\b${name}\\b`), name);
      return true;
    },
  );
});

test('read replicas: DATABASE_READ_URLS split on commas, lag bound and check interval; they need DATABASE_URL', () => {
  const none = parseConfig({});
  assert.deepEqual([none.databaseReadUrls, none.maxReplicaLagMs, none.replicaCheckIntervalMs], [[], 5000, 1000]);
  const two = parseConfig({ DATABASE_URL: 'postgres://u@primary/x', DATABASE_READ_URLS: ' postgres://u@r1/x , postgresql://u:p@r2:5433/x,', MAX_REPLICA_LAG_MS: '250', REPLICA_CHECK_INTERVAL_MS: '100' });
  assert.deepEqual(two.databaseReadUrls, ['postgres://u@r1/x', 'postgresql://u:p@r2:5433/x']);
  assert.equal(two.maxReplicaLagMs, 250);
  assert.equal(two.replicaCheckIntervalMs, 100);
  assert.throws(() => parseConfig({ DATABASE_READ_URLS: 'postgres://u@r1/x' }), /DATABASE_READ_URLS needs DATABASE_URL/);
  assert.throws(
    () => parseConfig({ DATABASE_URL: 'postgres://u@primary/x', DATABASE_READ_URLS: 'postgres://u@r1/x,mysql://u:hunter2@r2/x', MAX_REPLICA_LAG_MS: '0' }),
    (error: unknown) => {
      assert.match((error as Error).message, /DATABASE_READ_URLS: expected comma-separated postgres:\/\/ URLs, got "mysql:\/\/u:\*\*\*@r2\/x"/);
      assert.match((error as Error).message, /MAX_REPLICA_LAG_MS="0"/);
      assert.doesNotMatch((error as Error).message, /hunter2/);
      return true;
    },
  );
});

test('CACHE_MAX_AGE_*: seconds a shared cache may keep each group of root fields; stats short by default, 0 allowed, nonsense named', () => {
  assert.deepEqual(parseConfig({}).cacheMaxAge, { search: 300, timeline: 300, suggest: 300, headline: 3600, stats: 5 });
  assert.deepEqual(
    parseConfig({ CACHE_MAX_AGE_SEARCH: '60', CACHE_MAX_AGE_TIMELINE: '0', CACHE_MAX_AGE_SUGGEST: '30', CACHE_MAX_AGE_HEADLINE: '86400', CACHE_MAX_AGE_STATS: '1' }).cacheMaxAge,
    { search: 60, timeline: 0, suggest: 30, headline: 86400, stats: 1 },
  );
  assert.throws(
    () => parseConfig({ CACHE_MAX_AGE_SEARCH: '-1', CACHE_MAX_AGE_STATS: '5s' }),
    (error: unknown) => isAppError(error, 'CONFIG_INVALID') && /CACHE_MAX_AGE_SEARCH/.test(error.message) && /CACHE_MAX_AGE_STATS/.test(error.message),
  );
});
