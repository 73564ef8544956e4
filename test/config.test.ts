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
  assert.ok(defaults.embedQueryThreads >= 1 && defaults.embedQueryThreads <= 4);
  const onnx = parseConfig({ EMBED_BACKEND: 'ONNX', EMBED_QUERY_THREADS: '2' });
  assert.equal(onnx.embedBackend, 'onnx');
  assert.equal(onnx.embedQueryThreads, 2);
  assert.throws(
    () => parseConfig({ EMBED_BACKEND: 'cuda', EMBED_QUERY_THREADS: '0' }),
    (e: unknown) => isAppError(e, 'CONFIG_INVALID') && /EMBED_BACKEND="cuda": expected auto or one of onnx, wasm/.test(e.message) && /EMBED_QUERY_THREADS/.test(e.message),
  );
});
