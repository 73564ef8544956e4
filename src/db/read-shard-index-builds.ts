import { sql, type Kysely } from 'kysely';
import { HNSW_INDEX_NAME } from './hnsw-index.ts';

/** One shard of `headlines` as its worker sees it while the HNSW index is built through the coordinator. */
export interface ShardIndexBuild {
  readonly shard: string;
  /** The shard's row estimate (pg_class.reltuples on its worker). */
  readonly rows: number;
  /** pg_stat_progress_create_index's phase and tuples while this shard's index is being built; null otherwise. */
  readonly phase: string | null;
  readonly tuplesDone: number | null;
  /** A CREATE INDEX holds the shard (ShareLock) in a transaction not yet committed. */
  readonly locked: boolean;
  /** The oid of the shard's valid HNSW index as committed; null when there is none. */
  readonly index: number | null;
}

export interface ShardIndexBuilds {
  /** Every shard of `headlines`, whether or not its worker answered. */
  readonly shardCount: number;
  readonly shards: readonly ShardIndexBuild[];
}

interface ResultRow {
  shard_count: number;
  result: string | null;
}

/**
 * The HNSW build of every shard of `headlines`, read on the workers through the coordinator
 * (run_command_on_workers opens a session of its own on each worker, beside the build's).
 * The shard builds run in the workers' sessions, so the coordinator's own
 * pg_stat_progress_create_index shows nothing of them. A worker that does not answer
 * contributes no shards.
 */
export async function readShardIndexBuilds(db: Kysely<any>): Promise<ShardIndexBuilds> {
  const { rows } = await sql<ResultRow>`
    with shards as (
      select shard_name('headlines'::regclass, s.shardid) as shard, ${HNSW_INDEX_NAME} || '_' || s.shardid as index
      from pg_dist_shard s
      where s.logicalrelid = 'headlines'::regclass
    ),
    command as (
      select count(*)::int as shard_count, format($worker$
        select coalesce(json_agg(json_build_object(
          'shard', s.shard,
          'rows', greatest(c.reltuples, 0)::bigint,
          'phase', p.phase,
          'tuplesDone', p.tuples_done,
          'locked', exists (select from pg_locks l where l.relation = c.oid and l.mode = 'ShareLock' and l.granted),
          'index', (select i.indexrelid::bigint from pg_index i where i.indexrelid = to_regclass(s.index) and i.indisvalid)
        ) order by s.shard), '[]')
        from json_to_recordset(%L) as s(shard text, index text)
        join pg_class c on c.oid = to_regclass(s.shard)
        left join pg_stat_progress_create_index p
          on p.relid = c.oid and p.datid = (select oid from pg_database where datname = current_database())
      $worker$, json_agg(shards)) as text
      from shards
    )
    select command.shard_count, w.result
    from command
    left join lateral run_command_on_workers(command.text) w on w.success`.execute(db);
  const shards = rows.flatMap((r) => (r.result ? (JSON.parse(r.result) as ShardIndexBuild[]) : [])).map((s) => ({ ...s, rows: Number(s.rows), index: s.index === null ? null : Number(s.index), tuplesDone: s.tuplesDone === null ? null : Number(s.tuplesDone) }));
  return { shardCount: rows[0]?.shard_count ?? 0, shards };
}
