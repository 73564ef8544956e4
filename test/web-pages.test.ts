import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import express from 'express';
import { parseConfig } from '../src/config/parse-config.ts';
import { mountWebPages, type GraphqlIde } from '../src/server/web-pages.ts';

/** A built web/dist stand-in: each file says which it is. */
function builtDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-web-'));
  for (const file of ['index.html', 'app.js', 'app.css', 'graphiql.html', 'graphiql.js', 'graphiql.css', 'secret.txt']) fs.writeFileSync(path.join(dir, file), `this is ${file}`);
  return dir;
}

/** The pages mounted as the server mounts them, with /graphql's JSON side answered by a stub in place of Apollo. */
async function serve(ide: GraphqlIde, dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  mountWebPages(app, ide, dir);
  app.use('/graphql', (_req, res) => void res.json({ from: 'graphql' }));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const get = async (url: string, accept = '*/*') => {
  const res = await fetch(url, { headers: { accept } });
  return { status: res.status, body: await res.text() };
};

test('the search page is at /, with its script and style; nothing else in the folder is served', async () => {
  const dir = builtDir();
  const { url, close } = await serve('off', dir);
  try {
    assert.deepEqual(await get(`${url}/`), { status: 200, body: 'this is index.html' });
    assert.deepEqual(await get(`${url}/app.js`), { status: 200, body: 'this is app.js' });
    assert.deepEqual(await get(`${url}/app.css`), { status: 200, body: 'this is app.css' });
    assert.equal((await get(`${url}/secret.txt`)).status, 404);
    assert.equal((await get(`${url}/graphiql.js`)).status, 404, 'GRAPHQL_IDE=off: no IDE files');
    assert.deepEqual(await get(`${url}/graphql`, 'text/html'), { status: 200, body: '{"from":"graphql"}' }, 'GRAPHQL_IDE=off: a browser reaches the API');
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('GRAPHQL_IDE=local: a browser opening /graphql gets GraphiQL; API clients (JSON, or a GET with a query) get the API', async () => {
  const dir = builtDir();
  const { url, close } = await serve('local', dir);
  try {
    assert.deepEqual(await get(`${url}/graphql`, 'text/html,application/xhtml+xml,*/*;q=0.8'), { status: 200, body: 'this is graphiql.html' });
    assert.deepEqual(await get(`${url}/graphiql.js`), { status: 200, body: 'this is graphiql.js' });
    assert.equal((await get(`${url}/graphql`, 'application/json')).body, '{"from":"graphql"}');
    assert.equal((await get(`${url}/graphql?query=%7Bstats%7Bheadlines%7D%7D`, 'text/html')).body, '{"from":"graphql"}');
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('an unbuilt page says how to build it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-web-'));
  const { url, close } = await serve('local', dir);
  try {
    const page = await get(`${url}/`);
    assert.equal(page.status, 404);
    assert.match(page.body, /npm run build/);
  } finally {
    await close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('GRAPHQL_IDE: local by default, off in production, validated; COLLAPSE_SIMILARITY: 0.95 by default, in (0, 1]', () => {
  assert.equal(parseConfig({}).graphqlIde, 'local');
  assert.equal(parseConfig({ NODE_ENV: 'production' }).graphqlIde, 'off');
  assert.equal(parseConfig({ NODE_ENV: 'production', GRAPHQL_IDE: 'Local' }).graphqlIde, 'local');
  assert.equal(parseConfig({ GRAPHQL_IDE: 'apollo' }).graphqlIde, 'apollo');
  assert.throws(() => parseConfig({ GRAPHQL_IDE: 'graphiql' }), /GRAPHQL_IDE="graphiql": expected local, apollo, off/);
  assert.equal(parseConfig({}).collapseSimilarity, 0.95);
  assert.equal(parseConfig({ COLLAPSE_SIMILARITY: '0.9' }).collapseSimilarity, 0.9);
  assert.equal(parseConfig({ COLLAPSE_SIMILARITY: '1' }).collapseSimilarity, 1);
  for (const bad of ['0', '1.5', 'high', '-0.5', '.']) assert.throws(() => parseConfig({ COLLAPSE_SIMILARITY: bad }), /COLLAPSE_SIMILARITY/, bad);
});
