import { CompiledQuery, type DatabaseConnection } from 'kysely';

/**
 * Makes the server give up this session's statements once the client has gone. A backend
 * notices a vanished client only when it next writes to it, so without this an ingest
 * killed during its index build (Ctrl-C, kill -9, a lost SSH session) leaves the CREATE
 * INDEX or VACUUM running for minutes, holding its lock. Set once per server connection.
 * PostgreSQL before 14 has no such check and some platforms refuse it: there this does
 * nothing.
 */
export async function stopIfClientLost(connection: DatabaseConnection): Promise<void> {
  await connection.executeQuery(
    CompiledQuery.raw(`do $$ begin
      perform set_config('client_connection_check_interval', '1s', false);
    exception when others then null;
    end $$`),
  );
}
