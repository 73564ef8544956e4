import { AppError, ErrorCode } from '../errors/app-error.ts';
import { normalizeText } from '../embedding/normalize-text.ts';
import type { DateRange } from '../shared/search-types.ts';
import { isIsoDate } from '../shared/calendar-date.ts';
import { forbiddenCharacter } from '../shared/forbidden-character.ts';

const MAX_QUERY_LENGTH = 1000;
export const MAX_FIRST = 100;
/** Deepest result reachable by paging: pgvector's HNSW ef_search tops out at 1000. */
export const MAX_DEPTH = 1000;

const bad = (message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message);

/** Every free-text argument passes here first: what the database could not hold is refused by name. */
function validateText(name: string, value: string): string {
  const forbidden = forbiddenCharacter(value);
  if (forbidden !== null) throw bad(`\`${name}\` holds a ${forbidden}, which text here may not contain (see docs/input-rules.md); remove it.`);
  return value;
}

export function validateQuery(query: string): string {
  validateText('query', query);
  if (query.length > MAX_QUERY_LENGTH) throw bad(`\`query\` is ${query.length} characters long; the limit is ${MAX_QUERY_LENGTH}.`);
  const normalized = normalizeText(query);
  if (normalized === '') throw bad('`query` is empty; give some words to search for.');
  return normalized;
}

/** Longest prefix suggest completes: a search box's words, not a document. */
const MAX_PREFIX_LENGTH = 200;
export const MAX_SUGGESTIONS = 100;

/** A prefix typed so far; empty is allowed (no suggestions). Its trailing space is kept: the next word is wanted. */
export function validatePrefix(prefix: string): string {
  validateText('prefix', prefix);
  if (prefix.length > MAX_PREFIX_LENGTH) throw bad(`\`prefix\` is ${prefix.length} characters long; the limit is ${MAX_PREFIX_LENGTH}.`);
  const trailing = /\s$/.test(prefix) ? ' ' : '';
  const normalized = normalizeText(prefix);
  return normalized === '' ? '' : normalized + trailing;
}

export function validateSuggestFirst(first: number | null | undefined): number {
  const n = first ?? 8;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SUGGESTIONS) throw bad(`\`first\` must be between 1 and ${MAX_SUGGESTIONS}; got ${n}.`);
  return n;
}

export function validateFirst(first: number | null | undefined): number {
  const n = first ?? 10;
  if (!Number.isInteger(n) || n < 1 || n > MAX_FIRST) throw bad(`\`first\` must be between 1 and ${MAX_FIRST}; got ${n}.`);
  return n;
}

/** Most matches a timeline counts over. */
export const MAX_TIMELINE_TOP = 5000;

export function validateTop(top: number | null | undefined): number {
  const n = top ?? 1000;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMELINE_TOP) throw bad(`\`top\` must be between 1 and ${MAX_TIMELINE_TOP}; got ${n}.`);
  return n;
}

export function validateRange(filter: { from?: string | null; to?: string | null } | null | undefined): DateRange {
  const from = filter?.from ?? null;
  const to = filter?.to ?? null;
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== null && !isIsoDate(value)) throw bad(`\`filter.${name}\` must be a calendar date YYYY-MM-DD; got ${JSON.stringify(value)}.`);
  }
  if (from !== null && to !== null && from > to) throw bad(`\`filter.from\` (${from}) is after \`filter.to\` (${to}).`);
  return { from, to };
}

/** A headline's key as stored: a positive int8, in decimal. */
export function isHeadlineKey(key: string): boolean {
  return /^[1-9]\d{0,18}$/.test(key) && BigInt(key) <= 9223372036854775807n;
}

export function validateId(id: string): string {
  if (!isHeadlineKey(id)) throw bad(`\`id\` must be a headline id as this API returns it (Headline.id); got ${JSON.stringify(id.slice(0, 40))}.`);
  return id;
}

/** Most ids one `nodes` takes: a page's worth, fetched in one statement. */
export const MAX_NODES = 100;

export function validateNodeCount(count: number): number {
  if (count > MAX_NODES) throw bad(`\`ids\` holds ${count} ids; the limit is ${MAX_NODES}.`);
  return count;
}
