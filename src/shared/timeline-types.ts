import type { HeadlineRow } from './search-types.ts';

/** Width of a timeline period; the SQL functions take it in lower case. */
export type TimelineBucket = 'YEAR' | 'MONTH' | 'DAY';

/** One period of a timeline: matches among a search's top N, and their share of the period's headlines. */
export interface TimelinePeriod {
  /** First day of the period, YYYY-MM-DD. */
  readonly period: string;
  readonly count: number;
  readonly share: number;
  /** The period's best-ranked match; null when it has none. */
  readonly topHeadline: HeadlineRow | null;
}
