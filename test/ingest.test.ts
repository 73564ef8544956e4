import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { parseConfig } from '../src/config/parse-config.ts';
import { hnswIndexExists } from '../src/db/hnsw-index.ts';
import { loadProjection } from '../src/db/projection-repository.ts';
import { createEmbedder } from '../src/embedding/create-embedder.ts';
import type { Embedder } from '../src/embedding/embedder.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { ingest, type IngestOptions } from '../src/ingest/ingest.ts';
import { silentLogger } from '../src/logger.ts';
import { expectedRows, ingestOptions, sampleCsv, tempDir } from './support/ingest-fixtures.ts';
import { describeEachDatabase } from './support/test-databases.ts';

const dir = tempDir('hs-ingest-');
let embedder: Embedder;
let server: http.Server;
let baseUrl: string;

before(async () => {
  embedder = await createEmbedder(parseConfig({ EMBED_MODEL: 'hash' }), silentLogger, 'bulk');
  const plain = sampleCsv(120, 650);
  fs.writeFileSync(path.join(dir, 'plain.csv'), plain);
  server = http.createServer((req, res) => {
    if (req.url === '/headlines.csv') return res.end(plain);
    if (req.url === '/headlines.csv.gz') return res.end(gzipSync(plain));
    // gzip with no .gz in the name: detected from the magic bytes
    if (req.url === '/download?id=1') return res.end(gzipSync(plain));
    if (req.url === '/moved') return res.writeHead(302, { location: '/headlines.csv' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  await embedder?.close();
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// The suite shares one embedder pool; closing it belongs to the file, not to each ingest.
const sharedEmbedder = async (): Promise<Embedder> => ({ ...embedder, embed: (t) => embedder.embed(t), close: async () => undefined });

function options(source: string, overrides: Partial<IngestOptions> = {}): IngestOptions {
  return ingestOptions(dir, source, overrides);
}

const BAD_FILE = [
  'publish_date,headline_text',
  '20030219,aba decides against community broadcasting licence', // 2 ok
  '20031345,impossible month', // 3 bad date
  '20030230,february thirtieth', // 4 bad date
  '2003021,short date', // 5 bad date
  '20030219,', // 6 empty
  '20030219,    ', // 7 empty after normalisation
  `20030220,${'x'.repeat(5000)}`, // 8 too long
  '20030220,one,too many', // 9 wrong field count
  '20030220', // 10 wrong field count
  '__INVALID_UTF8__', // 11 invalid UTF-8
  '20030219,aba decides against community broadcasting licence', // 12 duplicate in file
  '20030219,ABA  decides against community   broadcasting licence', // 13 duplicate after normalisation
  '20030221,council welcomes café funding', // 14 ok (valid multi-byte UTF-8)
  '20030221,police probe fatal crash', // 15 ok
].join('\n');

function writeBadFile(): string {
  const file = path.join(dir, 'planted.csv');
  const bytes = Buffer.from(BAD_FILE + '\n', 'utf8');
  const marker = Buffer.from('__INVALID_UTF8__');
  const at = bytes.indexOf(marker);
  fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from('20030221,bad \xff\xfe bytes', 'latin1'), bytes.subarray(at + marker.length)]));
  return file;
}

describeEachDatabase('ingest', (get) => {
  const storedRows = async () => {
    const { rows } = await sql<{ r: string }>`select published_on::text || '|' || text as r from headlines order by 1`.execute(get().database.db);
    return rows.map((x) => x.r);
  };
  const deps = () => ({ database: get().database, modelId: HASH_MODEL_ID, createEmbedder: sharedEmbedder });

  test('planted bad rows: each rejected with its line and reason; the summary reconciles', async () => {
    const rejectsFile = path.join(dir, `planted-rejects-${get().mode}.tsv`);
    const summary = await ingest(options(writeBadFile(), { rejectsFile: () => rejectsFile, projection: 'gaussian', dimensions: 16 }), deps());
    assert.equal(summary.read, 14);
    assert.equal(summary.loaded, 3);
    assert.equal(summary.duplicates, 2);
    assert.equal(summary.rejected, 9);
    assert.equal(summary.read, summary.loaded + summary.duplicates + summary.rejected);
    assert.equal(summary.rejectsFile, rejectsFile);
    const lines = fs.readFileSync(rejectsFile, 'latin1').trim().split('\n');
    assert.equal(lines[0], 'line\treason\traw');
    const byLine = new Map(lines.slice(1).map((l) => [Number(l.split('\t')[0]), l.split('\t')[1]!]));
    assert.deepEqual([...byLine.keys()].sort((a, b) => a - b), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.match(byLine.get(3)!, /invalid date "20031345"/);
    assert.match(byLine.get(4)!, /invalid date/);
    assert.match(byLine.get(5)!, /invalid date/);
    assert.match(byLine.get(6)!, /empty/);
    assert.match(byLine.get(7)!, /empty/);
    assert.match(byLine.get(8)!, /too long: 5000 characters, limit 1000/);
    assert.match(byLine.get(9)!, /wrong number of fields: 3/);
    assert.match(byLine.get(10)!, /wrong number of fields: 1/);
    assert.match(byLine.get(11)!, /invalid UTF-8/);
    // The raw line keeps its bytes.
    assert.ok(fs.readFileSync(rejectsFile).includes(Buffer.from('bad \xff\xfe bytes', 'latin1')));
    assert.deepEqual(await storedRows(), [
      '2003-02-19|aba decides against community broadcasting licence',
      '2003-02-21|council welcomes café funding',
      '2003-02-21|police probe fatal crash',
    ]);
    const projection = await loadProjection(get().database.db);
    assert.equal(projection?.projection.kind, 'gaussian');
    assert.equal(summary.indexBuilt, true);
    assert.ok(await hnswIndexExists(get().database.db));
    // The first bulk load vacuums what its batches rewrote (VACUUM sets relallvisible).
    const { rows: vacuumed } = await sql<{ relname: string; visible: boolean }>`
      select relname, relallvisible > 0 as visible from pg_class
      where relname in ('headlines', 'headline_terms', 'headline_days') and relkind = 'r' order by relname`.execute(get().database.db);
    assert.deepEqual(vacuumed.map((r) => `${r.relname}:${r.visible}`), ['headline_days:true', 'headline_terms:true', 'headlines:true']);
  });

  test('re-running the same ingest loads nothing new', async () => {
    const summary = await ingest(options(writeBadFile()), deps());
    assert.equal(summary.loaded, 0);
    assert.equal(summary.duplicates, 5);
    assert.equal(summary.rejected, 9);
    assert.equal(summary.indexBuilt, false);
  });

  test('a different projection than the stored one is refused', async () => {
    await assert.rejects(ingest(options(writeBadFile(), { projection: 'pca' }), deps()), { code: 'PROJECTION_MISMATCH' });
    await assert.rejects(ingest(options(writeBadFile(), { dimensions: 32 }), deps()), { code: 'PROJECTION_MISMATCH' });
  });

  test('http: plain, gzipped (by name and by magic bytes) and redirected sources load the same rows as the file', async () => {
    const { db } = get().database;
    const expected = [...new Set([...expectedRows(fs.readFileSync(path.join(dir, 'plain.csv'), 'utf8'))])].sort();
    const fromFile = await ingest(options(path.join(dir, 'plain.csv')), deps());
    const fileRows = (await storedRows()).filter((r) => expected.includes(r));
    assert.deepEqual(fileRows, expected);
    // The rows from the middle one's day on are deleted before each load and must come back.
    const cutoff = expected[Math.floor(expected.length / 2)]!.slice(0, 10);
    const reloaded = expected.filter((r) => r >= cutoff).length;
    assert.ok(reloaded > 10 && reloaded < expected.length, 'the fixture spans the cut-off date');
    for (const url of ['/headlines.csv', '/headlines.csv.gz', '/download?id=1', '/moved']) {
      await sql`delete from headlines where published_on >= ${cutoff}::date`.execute(db);
      const summary = await ingest(options(baseUrl + url), deps());
      assert.equal(summary.read, fromFile.read, url);
      assert.equal(summary.loaded, reloaded, url);
      assert.deepEqual((await storedRows()).filter((r) => expected.includes(r)), expected, url);
    }
  });

  test('stored rows are found whether a batch spans a few days or the whole corpus', async () => {
    // Small batches: a date-ordered file reads each batch's days from the unique key; a
    // shuffled one spans every stored day in each batch and probes key by key instead.
    const lines = sampleCsv(300, 2000).trim().split('\n');
    const [header, rows] = [lines[0]!, lines.slice(1)];
    const ordered = path.join(dir, 'ordered.csv');
    fs.writeFileSync(ordered, [header, ...rows.slice(0, 250)].join('\n') + '\n');
    const first = await ingest(options(ordered, { batchSize: 10 }), deps());
    assert.equal(first.loaded + first.duplicates, 250);
    let reembedded = 0;
    const again = await ingest(options(ordered, { batchSize: 10 }), { ...deps(), createEmbedder: async () => ({ ...embedder, embed: (t) => ((reembedded += t.length), embedder.embed(t)), close: async () => undefined }) });
    assert.equal(reembedded, 0);
    assert.equal(again.loaded, 0);
    assert.equal(again.duplicates, 250);

    const shuffled = path.join(dir, 'shuffled.csv');
    const mixed = [...rows].sort((a, b) => (a.length * 7919 + a.charCodeAt(a.length - 1)) % 101 - (b.length * 7919 + b.charCodeAt(b.length - 1)) % 101);
    const spans = mixed.slice(0, 10).map((l) => l.slice(0, 8)).sort();
    assert.notEqual(spans[0], spans.at(-1), 'a shuffled batch spans several days');
    fs.writeFileSync(shuffled, [header, ...mixed].join('\n') + '\n');
    let embedded = 0;
    const counting = async (): Promise<Embedder> => ({ ...embedder, embed: (t) => ((embedded += t.length), embedder.embed(t)), close: async () => undefined });
    const mixedRun = await ingest(options(shuffled, { batchSize: 10 }), { ...deps(), createEmbedder: counting });
    const fresh = expectedRows([header, ...rows.slice(250)].join('\n')).filter((r) => !expectedRows([header, ...rows.slice(0, 250)].join('\n')).includes(r));
    assert.equal(mixedRun.loaded, fresh.length);
    assert.equal(embedded, fresh.length, 'stored rows are recognised before embedding, not by the insert');
    assert.equal(mixedRun.loaded + mixedRun.duplicates, 300);
    const stored = new Set(await storedRows());
    for (const r of expectedRows([header, ...rows].join('\n'))) assert.ok(stored.has(r), r);
  });

  test('an unreadable source is a clear error', async () => {
    await assert.rejects(ingest(options(path.join(dir, 'nope.csv')), deps()), { code: 'SOURCE_UNREADABLE' });
    await assert.rejects(ingest(options(`${baseUrl}/missing.csv`), deps()), (e: Error & { code?: string }) => e.code === 'SOURCE_UNREADABLE' && /HTTP 404/.test(e.message));
  });
});
