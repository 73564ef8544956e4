import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { ingest, type IngestOptions } from '../src/ingest/ingest.ts';
import { openSource } from '../src/ingest/open-source.ts';
import { readRecords } from '../src/ingest/read-records.ts';
import { ingestOptions, tempDir } from './support/ingest-fixtures.ts';
import { csvOf, generatedRows, storedForm } from './support/random-rows.ts';
import { withinOrHung } from './support/hang-guard.ts';
import { ROOT, runCli } from './support/run-cli.ts';
import { describeEachDatabase } from './support/test-databases.ts';
import { useSharedHashEmbedder } from './support/shared-hash-embedder.ts';

const dir = tempDir('hs-ingest-sources-');
const sharedEmbedder = useSharedHashEmbedder();
const HANG = 20_000;
let server: http.Server;
let baseUrl: string;
const rows = generatedRows(200, 26);
const csv = csvOf(rows);

before(async () => {
  server = http.createServer((req, res) => {
    // Headers, part of the body, then silence with the connection open.
    if (req.url === '/stalls-mid-body.csv') {
      res.writeHead(200, { 'content-type': 'text/csv' });
      return void res.write(csv.slice(0, 300));
    }
    // Accepts the request and never answers.
    if (req.url === '/never-answers.csv') return;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server?.closeAllConnections();
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});


function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function options(source: string, overrides: Partial<IngestOptions> = {}): IngestOptions {
  return ingestOptions(dir, source, { projection: 'gaussian', dimensions: 16, ...overrides });
}

describeEachDatabase('empty and odd sources', (get) => {
  const deps = () => ({ database: get().database, modelId: HASH_MODEL_ID, createEmbedder: sharedEmbedder });
  const stored = async () => {
    const { rows: found } = await sql<{ r: string }>`select published_on::text || '|' || text as r from headlines order by 1`.execute(get().database.db);
    return found.map((x) => x.r);
  };

  test('a 0-byte file and a file holding only a byte-order mark stop with one line saying so', async () => {
    for (const [name, content, message] of [
      ['empty.csv', Buffer.alloc(0), /empty\.csv is empty \(0 bytes\)/],
      ['empty.csv.gz', Buffer.alloc(0), /empty\.csv\.gz is empty \(0 bytes\)/],
      ['bom.csv', Buffer.from([0xef, 0xbb, 0xbf]), /bom\.csv holds no text/],
      ['bom-gzipped.csv.gz', gzipSync(Buffer.from([0xef, 0xbb, 0xbf])), /bom-gzipped\.csv holds no text/],
    ] as const) {
      const run = ingest(options(write(name, content)), deps());
      await assert.rejects(withinOrHung(run, HANG, name), (e: Error & { code?: string }) => e.code === 'SOURCE_UNREADABLE' && message.test(e.message) && !e.message.includes('\n'));
    }
  });

  test('a header with no newline is a valid file with no rows; CRLF line endings load like LF', async () => {
    const headerOnly = await withinOrHung(ingest(options(write('header.csv', 'publish_date,headline_text')), deps()), HANG, 'header only');
    assert.deepEqual([headerOnly.read, headerOnly.loaded, headerOnly.rejected], [0, 0, 0]);
    const crlf = await withinOrHung(ingest(options(write('crlf.csv', csv.replaceAll('\n', '\r\n'))), deps()), HANG, 'CRLF');
    assert.equal(crlf.read, rows.length);
    assert.equal(crlf.loaded, rows.length);
    assert.deepEqual(await stored(), rows.map(storedForm).sort());
    const tsv = await withinOrHung(ingest(options(write('crlf.tsv', csv.replaceAll(',', '\t').replaceAll('\n', '\r\n'))), deps()), HANG, 'CRLF TSV');
    assert.deepEqual([tsv.read, tsv.duplicates, tsv.rejected], [rows.length, rows.length, 0]);
  });

  test('a file starting with a byte-order mark loads its non-ASCII headlines as they are', async () => {
    const accented = [
      { date: '20190304', text: 'café owners welcome naïve plan' },
      { date: '20190305', text: '中文 headline about 👩‍🌾 farmers' },
      { date: '20190306', text: 'plain ascii after them' },
    ];
    await sql`delete from headlines`.execute(get().database.db);
    for (const [name, body] of [['bom-csv.csv', csvOf(accented)], ['bom-tsv.tsv', csvOf(accented).replaceAll(',', '\t')]] as const) {
      const summary = await withinOrHung(ingest(options(write(name, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]))), deps()), HANG, name);
      assert.equal(summary.rejected, 0, name);
      assert.equal(summary.loaded + summary.duplicates, accented.length, name);
    }
    assert.deepEqual(await stored(), accented.map(storedForm).sort());
  });

  test('an unterminated quote in the last row is rejected with the line it starts on, LF or CRLF', async () => {
    for (const eol of ['\n', '\r\n']) {
      const rejectsFile = path.join(dir, `unterminated-${eol.length}.tsv`);
      const body = ['publish_date,headline_text', '20190307,a fine headline', '20190308,"never closed'].join(eol) + eol;
      const summary = await withinOrHung(ingest(options(write(`unterminated-${eol.length}.csv`, body), { rejectsFile: () => rejectsFile }), deps()), HANG, 'unterminated quote');
      assert.equal(summary.read, 2);
      assert.equal(summary.rejected, 1);
      const [line, reason] = fs.readFileSync(rejectsFile, 'utf8').trim().split('\n')[1]!.split('\t');
      assert.equal(line, '3', JSON.stringify(eol));
      assert.match(reason!, /Quote Not Closed/);
    }
  });

  test('a gzip file cut short stops with one line naming it', async () => {
    const gz = gzipSync(csvOf(generatedRows(2000, 261)));
    const run = ingest(options(write('cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)))), deps());
    await assert.rejects(withinOrHung(run, HANG, 'cut gzip'), (e: Error & { code?: string }) => e.code === 'SOURCE_UNREADABLE' && /cut\.csv\.gz: not valid gzip: unexpected end of file/.test(e.message));
  });

  test('an HTTP source that stalls, before its headers or in its body, is given up after the source timeout', async () => {
    for (const url of ['/never-answers.csv', '/stalls-mid-body.csv']) {
      const run = ingest(options(baseUrl + url, { sourceTimeoutMs: 500 }), deps());
      await assert.rejects(withinOrHung(run, HANG, url), (e: Error & { code?: string }) => e.code === 'SOURCE_UNREADABLE' && /sent nothing for 0\.5 s/.test(e.message));
    }
  });
});

describe('sources on the command line', () => {
  test('`headlines ingest` of a 0-byte or BOM-only file ends with one line, exit 1, before a database is made', async () => {
    for (const [name, content, message] of [
      ['zero.csv', '', /zero\.csv is empty \(0 bytes\): nothing to ingest/],
      ['only-bom.csv', '\uFEFF', /only-bom\.csv holds no text/],
    ] as const) {
      const data = tempDir('hs-ingest-sources-cli-');
      try {
        const run = runCli(['ingest', '--quiet', write(name, content)], { DATA_DIR: data, EMBEDDED_DB_PORT: '0', EMBED_MODEL: 'hash', LOG_LEVEL: 'silent' });
        const result = await withinOrHung(run, HANG, `headlines ingest ${name}`);
        assert.equal(result.code, 1);
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
        assert.match(result.stderr, message);
        // The source is opened first: nothing waits for the embedded database to start.
        assert.deepEqual(fs.readdirSync(data), []);
      } finally {
        fs.rmSync(data, { recursive: true, force: true });
      }
    }
  });
});

const haveOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('HTTPS sources', { skip: haveOpenssl ? false : 'openssl is not installed (needed to make a test certificate)' }, () => {
  let secure: https.Server;
  let secureUrl: string;
  let ca: string;

  before(async () => {
    // A throwaway certificate for 127.0.0.1; the child process trusts it through NODE_EXTRA_CA_CERTS.
    const key = path.join(dir, 'key.pem');
    ca = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', ca], { stdio: 'ignore' });
    secure = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(ca) }, (req, res) => {
      if (req.url === '/headlines.csv') return void res.end(csv);
      if (req.url === '/to-https') return void res.writeHead(302, { location: '/headlines.csv' }).end();
      if (req.url === '/to-http') return void res.writeHead(302, { location: `${baseUrl}/headlines.csv` }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });
  after(() => {
    secure?.closeAllConnections();
    secure?.close();
  });

  /** Opens `url` in a process of its own that trusts the test certificate; its stdout is the outcome. */
  const openInChild = (url: string): Promise<string> => {
    const script = `import { openSource } from './src/ingest/open-source.ts';
      try { const s = await openSource(${JSON.stringify(url)}); let n = 0; for await (const c of s.stream) n += c.length; console.log('read ' + n); }
      catch (e) { console.log('refused ' + e.code + ': ' + e.message); }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: ca } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    return withinOrHung(new Promise((resolve) => child.on('close', () => resolve(out.trim()))), HANG, url);
  };

  test('a redirect from https to https is followed; one from https to http is refused', async () => {
    assert.equal(await openInChild(`${secureUrl}/to-https`), `read ${Buffer.byteLength(csv)}`);
    assert.match(await openInChild(`${secureUrl}/to-http`), /^refused SOURCE_UNREADABLE: Refused: .* redirects to http:\/\/127\.0\.0\.1:\d+\/headlines\.csv, which would leave HTTPS/);
  });
});

test('a gzip source that fails before anyone reads it keeps its error for the reader instead of crashing the process', async () => {
  const dir = tempDir('hs-ingest-sources-early-');
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', record);
  try {
    const file = path.join(dir, 'cut.csv.gz');
    const gz = gzipSync(csvOf(generatedRows(100, 262)));
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const source = await openSource(file);
    // The ingest opens its database between opening the source and reading it: the gzip
    // error comes meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(source.stream.errored, 'the cut gzip failed while nobody read it');
    const read = async () => {
      for await (const _record of readRecords(source.stream)) void _record;
    };
    await assert.rejects(read(), /cut\.csv\.gz: not valid gzip: unexpected end of file/);
    assert.deepEqual(uncaught, []);
  } finally {
    process.off('uncaughtException', record);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
