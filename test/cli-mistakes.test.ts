import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { runCommand } from '../src/cli/run-command.ts';
import type { Config } from '../src/config/parse-config.ts';
import { sampleCsv } from './support/ingest-fixtures.ts';
import { runCli } from './support/run-cli.ts';
import { makeEmbeddedConfig, makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';
import { scratchDir } from './support/embedded-template.ts';

const oneLine = (stderr: string) => {
  assert.equal(stderr.trimEnd().split('\n').length, 1, `one line, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at |unexpected error/);
};

/** A fresh database of each kind, and the environment that points a CLI run at it. */
const databases = [
  { mode: 'pglite', skip: false as const, make: makeEmbeddedConfig },
  { mode: 'postgres', skip: TEST_DATABASE_URL ? (false as const) : NO_SERVER, make: makeServerDatabase },
];
const envOf = (config: Config): Record<string, string> =>
  config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : { DATA_DIR: config.dataDir, EMBEDDED_DB_PORT: '0' };

describe('user mistakes: one line, exit 1, no stack trace', () => {
  test('eval sts --backends bogus names the runtimes it knows', async () => {
    const { code, stderr } = await runCli(['eval', 'sts', 'data/demo-headlines.csv', '--backends', 'bogus'], {});
    assert.equal(code, 1);
    oneLine(stderr);
    assert.match(stderr, /unknown backend bogus; expected some of onnx, wasm/);
  });

  for (const { mode, skip, make } of databases) {
    test(`grant-analyst with an invalid role name [${mode}]`, { skip }, async () => {
      const made = await make();
      try {
        const env = { ...envOf(made.config), LOG_LEVEL: 'warn' };
        assert.equal((await runCli(['migrate'], env)).code, 0);
        const { code, stdout, stderr } = await runCli(['grant-analyst', 'Robert"; drop table headlines'], env);
        assert.equal(code, 1, stderr);
        assert.equal(stdout, '');
        oneLine(stderr);
        assert.match(stderr, /^headlines: The role name must be a lower-case SQL identifier/);
      } finally {
        await made.cleanup();
      }
    });

    test(`a first ingest of one valid row cannot fit PCA and says what to do [${mode}]`, { skip }, async () => {
      const made = await make();
      const dir = scratchDir('hs-one-row-');
      try {
        const file = path.join(dir, 'one.csv');
        fs.writeFileSync(file, sampleCsv(1));
        const env = { ...envOf(made.config), EMBED_MODEL: 'hash', LOG_LEVEL: 'warn' };
        const { code, stderr } = await runCli(['ingest', file], env);
        assert.equal(code, 1, stderr);
        oneLine(stderr);
        assert.match(stderr, /^headlines: PCA needs at least two headlines .* has 1\. .*--projection gaussian/);
        // The advice works: the same row loads with a projection that needs no fit.
        const gaussian = await runCli(['ingest', file, '--projection', 'gaussian'], env);
        assert.equal(gaussian.code, 0, gaussian.stderr);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        await made.cleanup();
      }
    });
  }
});

describe('an unexpected error in a command', () => {
  const io = (env: Record<string, string>) => {
    let stderr = '';
    return {
      io: { env, stdin: Readable.from(['']), stdout: { write: () => undefined }, stderr: { write: (s: string) => (stderr += s) }, stopped: () => new Promise<string>(() => undefined) },
      stderr: () => stderr,
    };
  };
  const failing = async () => {
    // What a bug looks like: a plain error from below the typed ones, its message over two lines.
    JSON.parse('{"headline": ');
  };

  test('is one line that says what to do, without the stack', async () => {
    const run = io({ DATA_DIR: '/nonexistent' });
    assert.equal(await runCommand(run.io, failing), 1);
    const stderr = run.stderr();
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.match(stderr, /^headlines: unexpected error: SyntaxError: .*JSON.*\. Re-run with LOG_LEVEL=debug for the stack trace/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  test('prints its stack under LOG_LEVEL=debug, and only then', async () => {
    const run = io({ DATA_DIR: '/nonexistent', LOG_LEVEL: 'debug' });
    assert.equal(await runCommand(run.io, failing), 1);
    const [first, ...rest] = run.stderr().trimEnd().split('\n');
    assert.match(first!, /^headlines: unexpected error: SyntaxError: /);
    assert.doesNotMatch(first!, /LOG_LEVEL=debug/);
    assert.match(rest.join('\n'), /^SyntaxError: [^]*\n\s+at .*cli-mistakes\.test\.ts/);
  });
});
