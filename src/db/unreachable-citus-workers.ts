import { sql, type Kysely } from 'kysely';

/**
 * The Citus workers (host:port) the coordinator cannot reach now; empty on a plain server.
 * A search needs every shard, so one such worker fails every search: readiness names it.
 */
export async function unreachableCitusWorkers(db: Kysely<any>, citus: boolean): Promise<string[]> {
  if (!citus) return [];
  const { rows } = await sql<{ node: string }>`
    select n.nodename || ':' || n.nodeport as node
    from pg_dist_node n
    where n.isactive and n.noderole = 'primary' and n.groupid <> 0
      and not citus_check_connection_to_node(n.nodename, n.nodeport)
    order by n.nodeid`.execute(db);
  return rows.map((r) => r.node);
}
