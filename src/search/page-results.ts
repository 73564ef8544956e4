import type { HeadlineRow, ScoredHeadline, SearchPage } from '../shared/search-types.ts';
import type { CollapsedGroup } from './collapse-ranking.ts';
import { encodeCursor, type CursorPosition } from './cursor.ts';
import { MAX_DEPTH } from './validate-search-input.ts';

/**
 * One page out of a ranking that was computed up to the cursor's depth plus one page plus
 * one row (to learn whether more exist).
 */
export function pageResults(rows: readonly ScoredHeadline[], after: CursorPosition | null, first: number, fingerprint: string): SearchPage {
  return pageGroups(rows.map((leader) => ({ leader, duplicates: [] })), after, first, fingerprint);
}

/**
 * The same over a collapsed ranking: one edge per group, its duplicates folded into it.
 * Cursors keep the leader's rank in the uncollapsed ranking.
 */
export function pageGroups(groups: readonly CollapsedGroup<ScoredHeadline>[], after: CursorPosition | null, first: number, fingerprint: string): SearchPage {
  const rest = groupsAfter(groups, after);
  const taken = rest.slice(0, first);
  // Cursors are made when read (most searches read none), once each.
  const cursors = taken.map(({ leader: r }) => lazy(() => encodeCursor({ rank: r.rank, score: r.score, similarity: r.similarity, id: r.id }, fingerprint)));
  const edges = taken.map(({ leader: r, duplicates }, i) => ({
    get cursor() {
      return cursors[i]!();
    },
    node: headline(r),
    similarity: r.similarity,
    score: r.score,
    matchedTerms: r.matchedTerms,
    duplicates: duplicates.map(headline),
  }));
  const last = taken.at(-1);
  const hasNextPage = rest.length > first && (last?.leader.rank ?? 0) < MAX_DEPTH;
  // Forward paging only: a cursor means earlier results exist, none means this is the start.
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after !== null,
      get startCursor() {
        return cursors[0]?.() ?? null;
      },
      get endCursor() {
        return cursors.at(-1)?.() ?? null;
      },
    },
  };
}

function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** The groups after the cursor's; how many groups follow it is what the caller must make sure of. */
export function groupsAfter<T extends CollapsedGroup<ScoredHeadline>>(groups: readonly T[], after: CursorPosition | null): readonly T[] {
  if (!after) return groups;
  const at = groups.findIndex((g) => g.leader.id === after.id);
  // The cursor's row normally sits at its rank; if the corpus changed, fall back to
  // "strictly after (score, similarity, id)" in the ranking's order.
  return at >= 0 ? groups.slice(at + 1) : groups.filter((g) => comesAfter(g.leader, after));
}

const headline = (r: HeadlineRow): HeadlineRow => ({ id: r.id, publishedOn: r.publishedOn, text: r.text });

/** Every mode ranks by score descending, then similarity descending, then id ascending. */
function comesAfter(row: ScoredHeadline, position: CursorPosition): boolean {
  if (row.score !== position.score) return row.score < position.score;
  if (row.similarity !== position.similarity) return row.similarity < position.similarity;
  return BigInt(row.id) > BigInt(position.id);
}
