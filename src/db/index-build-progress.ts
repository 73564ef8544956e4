/** Where a running CREATE INDEX / REINDEX on `headlines` is, as PostgreSQL reports it. */
export interface IndexBuildProgress {
  /** pg_stat_progress_create_index's phase, e.g. "building index: loading tuples"; "building index" when unknown. */
  readonly phase: string;
  /** Tuples put into the graph so far, and the planner's estimate of all of them; null when not reported. */
  readonly tuplesDone: number | null;
  readonly tuplesTotal: number | null;
  readonly elapsedSeconds: number;
  /** On Citus: shards whose index is built, of all shards (the tuples are then summed over the shards). */
  readonly shards?: { readonly done: number; readonly total: number };
}

export type IndexBuildListener = (progress: IndexBuildProgress) => void;
