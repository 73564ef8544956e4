import type { IndexBuildProgress } from '../db/watch-index-build.ts';

/**
 * One line about an index build: phase, on Citus the shards built, tuples against the estimate, elapsed time and an
 * ETA from the rate so far (none until a tuple count is reported).
 */
export function describeIndexProgress(p: IndexBuildProgress): string {
  const parts = [p.phase];
  if (p.shards) parts.push(`shards ${p.shards.done} of ${p.shards.total} built`);
  if (p.tuplesDone !== null && p.tuplesTotal !== null) {
    parts.push(`${p.tuplesDone} of ${p.tuplesTotal} tuples (${((100 * p.tuplesDone) / p.tuplesTotal).toFixed(1)}%)`);
  }
  parts.push(`${Math.round(p.elapsedSeconds)} s`);
  const eta = indexEtaSeconds(p);
  if (eta !== null) parts.push(`ETA ${Math.round(eta)} s`);
  return parts.join(' | ');
}

function indexEtaSeconds(p: IndexBuildProgress): number | null {
  if (p.tuplesDone === null || p.tuplesTotal === null || p.tuplesDone <= 0) return null;
  return (Math.max(p.tuplesTotal - p.tuplesDone, 0) * p.elapsedSeconds) / p.tuplesDone;
}
