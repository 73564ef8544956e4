import { sql, type Kysely } from 'kysely';

/**
 * How far a replica's data is behind its primary, in milliseconds, measured on the replica.
 * Everything it has received is replayed: 0, however long ago the last write was (an idle
 * primary sends nothing, and the replica is then current). Otherwise, the age of the last
 * transaction it replayed, which grows while replay is paused or slow. A replica that has
 * replayed no transaction since it started has nothing to date its data by: it is behind
 * (Infinity) while it is not streaming yet or its replay is paused, and current otherwise
 * (WAL arrives ahead of replay for a moment on every write). A server that is not in
 * recovery (a primary given as a replica, or one promoted) is never behind.
 */
export async function measureReplicaLag(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ lag_ms: number }>`
    select case
      when not pg_is_in_recovery() then 0
      when pg_last_wal_receive_lsn() is not null and pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0
      when pg_last_xact_replay_timestamp() is not null then greatest(0, extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)
      when pg_last_wal_receive_lsn() is null or pg_is_wal_replay_paused() then 'infinity'
      else 0
    end::float8 as lag_ms`.execute(db);
  return rows[0]!.lag_ms;
}
