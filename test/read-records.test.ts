import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readRecords, type SourceRecord } from '../src/ingest/read-records.ts';

async function read(text: string, encoding: BufferEncoding = 'latin1'): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of readRecords(Readable.from([Buffer.from(text, encoding)]))) out.push(r);
  return out;
}

test('records carry the line they end on, rows the parser skips the line they start on, in file order', async () => {
  const records = await read(
    'publish_date,headline_text\n20030219,a\n20030220,"multi\nline\nfield"\n20030221,"bad"x quote\n20030222,ok\n20030224,"unclosed\n20030225,after\n',
  );
  assert.deepEqual(
    records.map((r) => [r.kind, r.line, r.kind === 'record' ? r.fields.join('|') : r.raw]),
    [
      ['record', 2, '20030219|a'],
      ['record', 5, '20030220|multi\nline\nfield'],
      ['record', 6, '20030221|"bad"x quote'],
      ['record', 7, '20030222|ok'],
      ['malformed', 8, '20030224,"unclosed\n20030225,after'],
    ],
  );
  assert.match((records[4] as { reason: string }).reason, /^malformed CSV: Quote Not Closed/);
});

test('CRLF, a byte-order mark and the TSV format keep their line numbers', async () => {
  const crlf = await read('\ufeffpublish_date,headline_text\r\n20030219,a\r\n20030220,"b, c"\r\n20030221,d,e\r\n', 'utf8');
  assert.deepEqual(crlf.map((r) => [r.line, r.kind === 'record' ? r.fields : null]), [[2, ['20030219', 'a']], [3, ['20030220', 'b, c']], [4, ['20030221', 'd', 'e']]]);
  const tsv = await read('publish_date\theadline_text\n20030219\t"quoted\ttab"\n20030220\tplain\n');
  assert.deepEqual(tsv.map((r) => [r.line, r.kind === 'record' ? r.fields : null]), [[2, ['20030219', 'quoted\ttab']], [3, ['20030220', 'plain']]]);
});
