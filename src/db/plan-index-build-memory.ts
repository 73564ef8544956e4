/** Below this, an HNSW graph of any size worth sharding spills to disk at once: fewer builds at a time instead. */
export const MIN_SHARD_BUILD_MB = 64;

export interface IndexBuildMemory {
  /** maintenance_work_mem of each shard build, in MB. */
  readonly perBuildMb: number;
  /** Shard builds one worker runs at once (citus.max_adaptive_executor_pool_size during the build). */
  readonly concurrentBuilds: number;
}

/**
 * Citus builds a worker's shards in as many sessions at once as the executor's pool allows,
 * each with its own maintenance_work_mem: the budget of a host is divided among them, so
 * that perBuildMb × concurrentBuilds never exceeds it. No more builds at once than the
 * worker holds shards, nor than leave each at least MIN_SHARD_BUILD_MB; always one.
 */
export function planIndexBuildMemory(budgetMb: number, wantedConcurrent: number, shardsPerWorker: number): IndexBuildMemory {
  const concurrentBuilds = Math.max(1, Math.min(wantedConcurrent, shardsPerWorker, Math.floor(budgetMb / MIN_SHARD_BUILD_MB)));
  return { concurrentBuilds, perBuildMb: Math.floor(budgetMb / concurrentBuilds) };
}
