import type { Readable } from 'node:stream';
import { Parser, type CsvError, type Options } from 'csv-parse';
import { peekChunk } from './peek-chunk.ts';
import { withoutBom } from './without-bom.ts';

export type InputFormat = 'csv' | 'tsv';

export type SourceRecord =
  | { readonly kind: 'record'; readonly line: number; readonly fields: readonly string[]; readonly raw: string }
  | { readonly kind: 'malformed'; readonly line: number; readonly reason: string; readonly raw: string };

const HEADER = ['publish_date', 'headline_text'];

type Parsed = { readonly record: string[]; readonly raw: string; line: number } | { readonly skipped: CsvError; readonly raw: string; readonly line: number };

/**
 * csv-parse's stream with each record stamped with its line, read from the parser's own
 * counter as the record is pushed. `info: true` would give the same line but builds an
 * object (and decodes the raw text a second time) for every record, which more than
 * doubled the parse. Records it skips come down the same stream, in order.
 */
class LineNumberedParser extends Parser {
  constructor(options: Options) {
    let self: LineNumberedParser | undefined;
    super({
      ...options,
      on_skip: (error, raw) => {
        const skipped = error as CsvError & { lines?: number; raw?: string };
        self!.push({ skipped, raw: skipped.raw ?? raw ?? '', line: skipped.lines ?? 0 } satisfies Parsed);
      },
    });
    self = this;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null && typeof chunk === 'object' && 'record' in chunk) (chunk as unknown as { line: number }).line = this.info.lines;
    return super.push(chunk, encoding);
  }
}

/**
 * Streams records from the Kaggle CSV or the Dataverse TSV. Bytes are decoded as latin1,
 * which maps each byte to one character, so delimiters are found at the byte level and
 * fields can be re-encoded to their exact bytes for UTF-8 validation later (a byte-order
 * mark is dropped before the parser, which would otherwise switch to UTF-8). A header row
 * is recognised and skipped; records the parser cannot make sense of come out as
 * `malformed` instead of stopping the stream.
 */
export async function* readRecords(stream: Readable, format?: InputFormat): AsyncGenerator<SourceRecord> {
  const chosen = format ?? (await sniffFormat(stream));
  const parser = stream.pipe(withoutBom()).pipe(
    new LineNumberedParser({
      encoding: 'latin1',
      delimiter: chosen === 'tsv' ? '\t' : ',',
      raw: true,
      bom: false,
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
    }),
  );
  stream.on('error', (error) => parser.destroy(error));
  // Failed before this reader came: its error event is gone, its error is not.
  if (stream.errored) parser.destroy(stream.errored);
  let first = true;
  let previousLine = 0;
  for await (const item of parser as AsyncIterable<Parsed>) {
    if ('skipped' in item) {
      // The line the record starts on: where the parser gave up can be past the end (an
      // unterminated quote before a final CRLF is counted a line further).
      const line = previousLine + 1;
      previousLine = Math.max(line, item.line);
      yield { kind: 'malformed', line, reason: `malformed ${chosen.toUpperCase()}: ${item.skipped.message}`, raw: stripEol(item.raw) };
      continue;
    }
    previousLine = item.line;
    if (first) {
      first = false;
      if (isHeader(item.record)) continue;
    }
    yield { kind: 'record', line: item.line, fields: item.record, raw: stripEol(item.raw) };
  }
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
