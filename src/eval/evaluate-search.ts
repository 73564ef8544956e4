import type { SearchMode } from '../shared/search-mode.ts';
import type { LabelledQuery, QuerySet } from './read-query-set.ts';

export const PRECISION_AT = 10;

/** The texts of the first PRECISION_AT results of one search. */
export type RunSearch = (query: string, mode: SearchMode) => Promise<string[]>;

export interface PrecisionRow {
  readonly set: string;
  readonly split: LabelledQuery['split'] | 'all';
  readonly mode: SearchMode;
  readonly queries: number;
  /** Mean over the queries of (on-topic results among the first 10) / 10; missing results count as misses. */
  readonly precision: number;
  readonly perQuery: ReadonlyArray<{ readonly query: string; readonly precision: number }>;
}

/** precision@10 of every mode on every set, for the queries of the chosen split. */
export async function evaluateSearch(sets: readonly QuerySet[], modes: readonly SearchMode[], split: PrecisionRow['split'], run: RunSearch): Promise<PrecisionRow[]> {
  const rows: PrecisionRow[] = [];
  for (const set of sets) {
    const queries = set.queries.filter((q) => split === 'all' || q.split === split);
    for (const mode of modes) {
      const perQuery = [];
      for (const q of queries) {
        const texts = (await run(q.query, mode)).slice(0, PRECISION_AT);
        perQuery.push({ query: q.query, precision: texts.filter((t) => q.onTopic.test(t)).length / PRECISION_AT });
      }
      const precision = perQuery.reduce((sum, q) => sum + q.precision, 0) / Math.max(1, perQuery.length);
      rows.push({ set: set.name, split, mode, queries: queries.length, precision, perQuery });
    }
  }
  return rows;
}
