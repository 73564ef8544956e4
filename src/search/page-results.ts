import type { ScoredHeadline, SearchPage } from '../shared/search-types.ts';
import { encodeCursor, type CursorPosition } from './cursor.ts';
import { MAX_DEPTH } from './validate-search-input.ts';

/**
 * One page out of a ranking that was computed up to the cursor's depth plus one page plus
 * one row (to learn whether more exist).
 */
export function pageResults(rows: readonly ScoredHeadline[], after: CursorPosition | null, first: number, fingerprint: string): SearchPage {
  let rest = rows;
  if (after) {
    const at = rows.findIndex((r) => r.id === after.id);
    // The cursor's row normally sits at its rank; if the corpus changed, fall back to
    // "strictly after (score, similarity, id)" in the ranking's order.
    rest = at >= 0 ? rows.slice(at + 1) : rows.filter((r) => comesAfter(r, after));
  }
  const taken = rest.slice(0, first);
  const edges = taken.map((r) => ({
    cursor: encodeCursor({ rank: r.rank, score: r.score, similarity: r.similarity, id: r.id }, fingerprint),
    node: { id: r.id, publishedOn: r.publishedOn, text: r.text },
    similarity: r.similarity,
    score: r.score,
    matchedTerms: r.matchedTerms,
  }));
  const last = taken.at(-1);
  const hasNextPage = rest.length > first && (last?.rank ?? 0) < MAX_DEPTH;
  // Forward paging only: a cursor means earlier results exist, none means this is the start.
  return { edges, pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}

/** Every mode ranks by score descending, then similarity descending, then id ascending. */
function comesAfter(row: ScoredHeadline, position: CursorPosition): boolean {
  if (row.score !== position.score) return row.score < position.score;
  if (row.similarity !== position.similarity) return row.similarity < position.similarity;
  return BigInt(row.id) > BigInt(position.id);
}
