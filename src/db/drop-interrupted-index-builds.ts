import { sql, type Kysely } from 'kysely';

/**
 * Drops what an interrupted REINDEX CONCURRENTLY leaves on headlines: an INVALID copy named
 * `<index>_ccnew` (or `_ccold`, when it stopped while swapping). PostgreSQL keeps such an
 * index up to date on every write and never uses it, and no later reindex removes it. A
 * build that is running right now is left alone: its copies are invalid until it ends.
 * CONCURRENTLY, so that neither readers nor writers wait; it cannot run in a transaction.
 * Returns the names dropped.
 */
export async function dropInterruptedIndexBuilds(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_index i
    join pg_class c on c.oid = i.indexrelid
    where i.indrelid = to_regclass('headlines')
      and not i.indisvalid
      and c.relname ~ '_cc(new|old)[0-9]*$'
      and not exists (select 1 from pg_stat_progress_create_index p where p.relid = i.indrelid)
    order by 1`.execute(db);
  for (const { name } of rows) await sql`drop index concurrently if exists ${sql.id(name)}`.execute(db);
  return rows.map((r) => r.name);
}
