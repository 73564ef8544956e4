import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { describe, test } from 'node:test';
import { parseConfig } from '../src/config/parse-config.ts';
import { migrateToLatest } from '../src/db/migrations.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { silentLogger } from '../src/logger.ts';
import { startApiServer } from '../src/server/start-api-server.ts';
import { queryEmbedder } from './support/graphql-fixture.ts';
import { runCli, spawnCli } from './support/run-cli.ts';
import { TcpProxy } from './support/tcp-proxy.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from './support/test-databases.ts';
import { seededDataDir } from './support/embedded-template.ts';

const SEARCH = '{ search(query: "storm", first: 2) { edges { node { id } } } }';

async function post(url: string, query: string): Promise<{ status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as never };
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached in time');
}

describe('database outage [postgres]', { skip: TEST_DATABASE_URL ? false : NO_SERVER }, () => {
  test('/readyz goes 503 and searches fail with SERVICE_UNAVAILABLE while the database is down; both recover', async () => {
    const made = await makeServerDatabase();
    const target = new URL(made.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxyPort = await proxy.start();
    const viaProxy = new URL(made.url);
    viaProxy.port = String(proxyPort);
    const database = await openDatabase(parseConfig({ DATABASE_URL: viaProxy.toString() }), silentLogger, { statementTimeoutMs: 2000 });
    await migrateToLatest(database.db);
    const embedder = await queryEmbedder();
    const server = await startApiServer({ database, embedder, modelId: HASH_MODEL_ID, logger: silentLogger, port: 0 });
    try {
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      assert.equal((await post(server.url, SEARCH)).body.errors, undefined);

      await proxy.stop();
      const down = await fetch(`${server.url}/readyz`);
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as { checks: { database: string } }).checks.database, /unreachable/);
      const failed = await post(server.url, SEARCH);
      assert.equal(failed.body.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE');
      assert.doesNotMatch(JSON.stringify(failed.body), /ECONNREFUSED|127\.0\.0\.1|stack/);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the process stays up');

      await proxy.start(proxyPort);
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200);
      assert.equal((await post(server.url, SEARCH)).body.errors, undefined);
    } finally {
      await server.close();
      await embedder.close();
      await database.close();
      await proxy.stop();
      await made.cleanup();
    }
  });
});

describe('headlines serve', () => {
  test('answers GraphQL, then on SIGTERM finishes the in-flight request and exits 0', async () => {
    const dir = await seededDataDir('hs-serve-');
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash' };
      const loaded = await runCli(['start', '--no-serve'], env);
      assert.equal(loaded.code, 0, loaded.stderr);
      const child = spawnCli(['serve', '--port', '0'], { ...env, LOG_LEVEL: 'info' });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      await waitFor(async () => /GraphQL API on http:\/\/localhost:\d+/.test(stderr), 30_000);
      const url = `http://127.0.0.1:${/localhost:(\d+)/.exec(stderr)![1]}`;
      const first = await post(url, '{ search(query: "bushfire threatens homes", first: 3) { edges { node { text } } } }');
      assert.equal((first.body.data as { search: { edges: unknown[] } }).search.edges.length, 3);
      // A request whose body is still arriving when SIGTERM lands must still be answered.
      const body = JSON.stringify({ query: '{ search(query: "floods inundate towns", first: 5) { edges { node { text } } } }' });
      const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          child.kill('SIGTERM');
          void waitFor(async () => /SIGTERM: finishing/.test(stderr)).then(() => req.end(body.slice(10)), reject);
        }, 100);
      });
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.equal((JSON.parse(response.text) as { data: { search: { edges: unknown[] } } }).data.search.edges.length, 5);
      assert.equal(await exited, 0);
      assert.match(stderr, /SIGTERM: finishing in-flight requests/);
      assert.ok(!fs.existsSync(`${dir}/headline-search.pid`), 'embedded database closed and unlocked');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('headlines search (the CLI twin) prints ranked results and a cursor', async () => {
    const dir = await seededDataDir('hs-search-');
    try {
      const env = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash' };
      assert.equal((await runCli(['start', '--no-serve'], env)).code, 0);
      const result = await runCli(['search', 'bushfire threatens homes', '--first', '3', '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      const page = JSON.parse(result.stdout) as { edges: Array<{ node: { text: string }; similarity: number }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
      assert.equal(page.edges.length, 3);
      assert.match(page.edges[0]!.node.text, /fire/);
      assert.equal(page.pageInfo.hasNextPage, true);
      const next = await runCli(['search', 'bushfire threatens homes', '--first', '3', '--after', page.pageInfo.endCursor], env);
      assert.equal(next.code, 0, next.stderr);
      assert.equal(next.stdout.trim().split('\n').filter((l) => /^\d\.\d{4} {2}\d{4}-/.test(l)).length, 3);
      const bad = await runCli(['search', 'x', '--from', '2003-02-30'], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /calendar date/);
      const keyword = await runCli(['search', 'bushfires', '--mode', 'keyword', '--json'], env);
      assert.equal(keyword.code, 0, keyword.stderr);
      const found = JSON.parse(keyword.stdout) as { edges: Array<{ node: { text: string }; matchedTerms: string[] }> };
      assert.ok(found.edges.length > 0 && found.edges.every((e) => /\bbushfires\b/.test(e.node.text) && e.matchedTerms.join() === 'bushfires'));
      const badMode = await runCli(['search', 'x', '--mode', 'fuzzy'], env);
      assert.equal(badMode.code, 1);
      assert.match(badMode.stderr, /Allowed choices are hybrid, semantic, keyword/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
