import type { ShardIndexBuilds } from './read-shard-index-builds.ts';
import type { IndexBuildProgress } from './index-build-progress.ts';

const GRAPH_PENDING = /^(initializing|waiting for writers before build|building index)/;

/**
 * One progress report from the shards' builds. A shard is done when its index is there and
 * is not the one it had when the build began (`before`: shard → index oid), or when a
 * CREATE INDEX holds it in the not yet committed transaction and is no longer building it.
 * Tuples: a done shard counts its rows, a building shard what its build reports.
 */
export function summarizeShardIndexBuilds(now: ShardIndexBuilds, before: ReadonlyMap<string, number | null>, elapsedSeconds: number): IndexBuildProgress {
  let done = 0;
  let tuplesDone = 0;
  let tuplesTotal = 0;
  let phase: string | null = null;
  for (const s of now.shards) {
    tuplesTotal += s.rows;
    if (s.phase !== null) {
      phase ??= s.phase;
      // Past its graph (a REINDEX CONCURRENTLY validating, waiting to swap) the phase's
      // tuple count is another one's: the shard's rows are in the graph by then.
      tuplesDone += GRAPH_PENDING.test(s.phase) ? Math.min(s.tuplesDone ?? 0, s.rows) : s.rows;
    } else if ((s.index !== null && s.index !== (before.get(s.shard) ?? null)) || s.locked) {
      done++;
      tuplesDone += s.rows;
    }
  }
  const total = now.shardCount;
  return {
    phase: phase ?? (done === total ? 'building index: every shard built' : 'building index: waiting for shards'),
    tuplesDone: tuplesTotal > 0 ? tuplesDone : null,
    tuplesTotal: tuplesTotal > 0 ? tuplesTotal : null,
    elapsedSeconds,
    shards: { done, total },
  };
}
