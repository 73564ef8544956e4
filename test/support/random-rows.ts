import { normalizeText } from '../../src/embedding/normalize-text.ts';

const WORDS = (
  'drought farmers council water police fire flood rain court school hospital minister election ' +
  'bushfire coast storm road crash trade market bank mine wheat cattle river dam budget health ' +
  'union strike airport rail port fishing tourism museum festival cricket football rugby tennis ' +
  'beach reef forest wildlife koala shark whale city town regional rural housing price rates'
).split(' ');

/** A small deterministic generator (mulberry32), so a file is the same for a given seed. */
export function seededNumbers(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedRow {
  /** YYYYMMDD, as in the Kaggle file. */
  readonly date: string;
  readonly text: string;
}

/** `n` distinct valid headlines (distinct after normalisation too), spread over 2003–2020. */
export function generatedRows(n: number, seed = 1): GeneratedRow[] {
  const next = seededNumbers(seed);
  const pick = () => WORDS[Math.floor(next() * WORDS.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const year = 2003 + Math.floor(next() * 18);
    const month = 1 + Math.floor(next() * 12);
    const day = 1 + Math.floor(next() * 28);
    const date = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    // The row number as a word keeps every headline distinct.
    return { date, text: `${pick()} ${pick()} ${pick()} ${pick()} item${i}` };
  });
}

/** A Kaggle-format CSV (header included) of these rows. */
export function csvOf(rows: readonly GeneratedRow[]): string {
  return ['publish_date,headline_text', ...rows.map((r) => `${r.date},${r.text}`)].join('\n') + '\n';
}

/** How a valid row is stored: `YYYY-MM-DD|normalised text`, worked out apart from the ingest code. */
export function storedForm(row: GeneratedRow): string {
  return `${row.date.slice(0, 4)}-${row.date.slice(4, 6)}-${row.date.slice(6, 8)}|${normalizeText(row.text)}`;
}
