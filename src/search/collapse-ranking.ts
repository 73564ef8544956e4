import type { NearDuplicatePair } from '../db/near-duplicate-pairs.ts';

export interface CollapsedGroup<T> {
  /** The group's best-ranked row: what is shown as an edge. */
  readonly leader: T;
  /** Rows folded into the leader, best first (see collapseRanking for which are listed). */
  readonly duplicates: T[];
}

/**
 * Greedy near-duplicate collapse over a ranking, best first: a row whose similarity to an
 * earlier leader is at or above the threshold (a pair given) folds into the best-ranked
 * such leader; otherwise it leads a group of its own. So no two leaders are near-duplicates,
 * and a row's fate depends only on the rows above it: the groups of a longer ranking
 * start with the groups of any prefix, which is what cursor paging needs.
 *
 * A group lists the rows folded into it that rank above the next leader. Rows folded into
 * it further down are still never shown as edges, but listing them would make a page's
 * duplicates depend on how far down the ranking was read, i.e. on the page size. The last
 * group's list is open-ended: it lists what the ranking given has.
 */
export function collapseRanking<T>(rows: readonly T[], pairs: readonly NearDuplicatePair[]): CollapsedGroup<T>[] {
  const earlierOf = new Map<number, number[]>();
  for (const p of pairs) {
    const list = earlierOf.get(p.later);
    if (list) list.push(p.earlier);
    else earlierOf.set(p.later, [p.earlier]);
  }
  const groupOf = new Map<number, number>();
  const groups: Array<{ leader: T; leaderPosition: number; folded: number[] }> = [];
  rows.forEach((row, position) => {
    let best = -1;
    for (const earlier of earlierOf.get(position) ?? []) {
      if (groupOf.has(earlier) && (best < 0 || earlier < best)) best = earlier;
    }
    if (best >= 0) groups[groupOf.get(best)!]!.folded.push(position);
    else {
      groupOf.set(position, groups.length);
      groups.push({ leader: row, leaderPosition: position, folded: [] });
    }
  });
  return groups.map((g, i) => {
    const next = groups[i + 1]?.leaderPosition ?? Infinity;
    return { leader: g.leader, duplicates: g.folded.filter((p) => p < next).map((p) => rows[p]!) };
  });
}
