import fc from 'fast-check';
import { normalizeText } from '../../src/embedding/normalize-text.ts';
import { forbiddenCharacter } from '../../src/shared/forbidden-character.ts';

export interface FuzzRow {
  /** The row's bytes, without its line ending. */
  readonly bytes: Buffer;
  /** `YYYY-MM-DD|normalised text` for a valid row; null for a row built to be rejected. */
  readonly stored: string | null;
}

export interface FuzzFile {
  readonly format: 'csv' | 'tsv';
  readonly rows: readonly FuzzRow[];
  readonly bytes: Buffer;
}

const WORDS = ['drought', 'farmers', 'flood', 'council', 'café', 'naïve', 'ünïcödé', '中文', '👩‍🌾', ',', '"', '\t', ':*', '<->', '!', '\\', "'", '&', '|'];

const date = fc.date({ min: new Date('2003-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const compact = (iso: string) => iso.replaceAll('-', '');

const validText = fc
  .array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(' ').replace(/[\r\n]/g, ' '))
  .filter((t) => forbiddenCharacter(t) === null && normalizeText(t) !== '' && [...normalizeText(t)].length <= 1000);

/** A field as a CSV/TSV writer would quote it. */
function field(text: string, delimiter: string): string {
  return text.includes(delimiter) || text.includes('"') ? `"${text.replaceAll('"', '""')}"` : text;
}

function rowArbitrary(delimiter: string): fc.Arbitrary<FuzzRow> {
  const valid = fc.tuple(date, validText).map(([d, t]): FuzzRow => ({ bytes: Buffer.from(`${compact(d)}${delimiter}${field(t, delimiter)}`, 'utf8'), stored: `${d}|${normalizeText(t)}` }));
  const broken = (make: fc.Arbitrary<Buffer>) => make.map((bytes): FuzzRow => ({ bytes, stored: null }));
  const text = (d: string, t: string) => Buffer.from(`${compact(d)}${delimiter}${t}`, 'utf8');
  return fc.oneof(
    { arbitrary: valid, weight: 6 },
    broken(fc.tuple(date, validText, validText).map(([d, a, b]) => text(d, field(`${a}\u0000${b}`, delimiter)))),
    broken(fc.tuple(fc.constantFrom('20031345', '20030230', '2003021', 'yesterday', '', '２００３０２１９'), validText).map(([d, t]) => Buffer.from(`${d}${delimiter}${field(t, delimiter)}`, 'utf8'))),
    broken(fc.tuple(date, fc.constantFrom('', ' ', '   \t ', '\u3000')).map(([d, t]) => text(d, t === '   \t ' && delimiter === '\t' ? '' : t))),
    broken(fc.tuple(date, fc.integer({ min: 1001, max: 1500 })).map(([d, n]) => text(d, 'x'.repeat(n)))),
    broken(fc.tuple(date, fc.constantFrom([0xff], [0xfe, 0xff], [0xc3], [0xed, 0xa0, 0x80])).map(([d, bad]) => Buffer.concat([text(d, 'bad '), Buffer.from(bad), Buffer.from(' bytes')]))),
    broken(fc.tuple(date, fc.constantFrom(1, 3)).map(([d, n]) => Buffer.from(n === 1 ? compact(d) : `${compact(d)}${delimiter}one${delimiter}two`, 'utf8'))),
  );
}

/** A Kaggle CSV or Dataverse TSV file of valid and broken rows, with a BOM or not, LF or CRLF, a last newline or not. */
export function fuzzFile(format: 'csv' | 'tsv'): fc.Arbitrary<FuzzFile> {
  const delimiter = format === 'tsv' ? '\t' : ',';
  return fc
    .record({ body: fc.array(rowArbitrary(delimiter), { maxLength: 40 }), unterminated: fc.option(fc.tuple(date, validText)), bom: fc.boolean(), crlf: fc.boolean(), lastNewline: fc.boolean() })
    .map(({ body: generated, unterminated, bom, crlf, lastNewline }) => {
      // An unterminated quote runs to the end of the file, so it can only be the last row.
      const rows = unterminated === null ? generated : [...generated, { bytes: Buffer.from(`${compact(unterminated[0])}${delimiter}"${unterminated[1].replaceAll('"', '')}`, 'utf8'), stored: null }];
      const eol = Buffer.from(crlf ? '\r\n' : '\n');
      const lines = [Buffer.from(`publish_date${delimiter}headline_text`), ...rows.map((r) => r.bytes)];
      const body = Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 || lastNewline ? [l, eol] : [l])));
      return { format, rows, bytes: bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body };
    });
}
