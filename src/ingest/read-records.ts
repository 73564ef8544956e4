import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { peekChunk } from './peek-chunk.ts';

export type InputFormat = 'csv' | 'tsv';

export type SourceRecord =
  | { readonly kind: 'record'; readonly line: number; readonly fields: readonly string[]; readonly raw: string }
  | { readonly kind: 'malformed'; readonly line: number; readonly reason: string; readonly raw: string };

const HEADER = ['publish_date', 'headline_text'];

/**
 * Streams records from the Kaggle CSV or the Dataverse TSV. Bytes are decoded as latin1,
 * which maps each byte to one character, so delimiters are found at the byte level and
 * fields can be re-encoded to their exact bytes for UTF-8 validation later. A header row
 * is recognised and skipped; records the parser cannot make sense of come out as
 * `malformed` instead of stopping the stream.
 */
export async function* readRecords(stream: Readable, format?: InputFormat): AsyncGenerator<SourceRecord> {
  const chosen = format ?? (await sniffFormat(stream));
  const parser = stream.pipe(
    parse({
      encoding: 'latin1',
      delimiter: chosen === 'tsv' ? '\t' : ',',
      info: true,
      raw: true,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
    }),
  );
  stream.on('error', (error) => parser.destroy(error));
  const skipped: SourceRecord[] = [];
  parser.on('skip', (error: CsvError & { raw?: string; lines?: number }) => {
    skipped.push({ kind: 'malformed', line: error.lines ?? 0, reason: `malformed ${chosen.toUpperCase()}: ${error.message}`, raw: stripEol(error.raw ?? '') });
  });
  let first = true;
  for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    yield* skipped.splice(0);
    if (first) {
      first = false;
      if (isHeader(record)) continue;
    }
    yield { kind: 'record', line: info.lines, fields: record, raw: stripEol(raw) };
  }
  yield* skipped.splice(0);
}

function isHeader(record: readonly string[]): boolean {
  return record.length === 2 && record.every((f, i) => f.trim().replace(/^"|"$/g, '').toLowerCase() === HEADER[i]);
}

function stripEol(raw: string): string {
  return raw.replace(/\r?\n$/, '');
}

/** A tab in the first line means the Dataverse TSV; otherwise the Kaggle CSV. */
async function sniffFormat(stream: Readable): Promise<InputFormat> {
  const chunk = await peekChunk(stream);
  if (chunk === null) return 'csv';
  const end = chunk.indexOf(0x0a);
  const firstLine = chunk.subarray(0, end < 0 ? chunk.length : end);
  return firstLine.includes(0x09) ? 'tsv' : 'csv';
}
