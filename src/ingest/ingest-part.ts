import { hash } from 'node:crypto';

/** Part `index` (1-based) of `count`: `headlines ingest FILE --part 2/3`. */
export interface IngestPart {
  readonly index: number;
  readonly count: number;
}

export function parseIngestPart(raw: string): IngestPart {
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new RangeError(`a part is i/n with 1 <= i <= n, got ${raw}`);
  return { index, count };
}

/**
 * Which part a row belongs to. A valid row goes by its publication day, so every row of a
 * day is embedded and loaded by one process (duplicates of a day meet in one process, and
 * no two processes recount one day); a rejected row, which may have no day, by its line.
 * md5, not a JavaScript hash: every machine, version and run must split alike.
 */
export function ingestPartOf(key: { readonly publishedOn?: string; readonly line: number }, count: number): number {
  if (key.publishedOn === undefined) return (key.line % count) + 1;
  return (hash('md5', key.publishedOn, 'buffer').readUInt32BE(0) % count) + 1;
}
