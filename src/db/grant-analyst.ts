import { sql, type Kysely } from 'kysely';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { DB } from './schema.ts';

const READABLE = ['headlines', 'headline_days', 'headline_terms', 'projection', 'projection_basis', 'search_queries'];

/**
 * A read-only role for SQL users: reads the data, runs the search functions, and may
 * insert texts into search_queries; nothing else (in particular, never writes headlines).
 * Idempotent; re-run after upgrades so new functions are granted too.
 */
export async function grantAnalyst(db: Kysely<DB>, role: string): Promise<{ created: boolean }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new AppError(ErrorCode.BAD_USER_INPUT, `The role name must be a lower-case SQL identifier (a-z, 0-9, _; at most 63), got ${JSON.stringify(role)}.`);
  return db.transaction().execute(async (trx) => {
    const exists = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${role}`.execute(trx);
    const created = exists.rows[0]!.n === 0;
    const r = sql.id(role);
    if (created) await sql`create role ${r} login`.execute(trx);
    await sql`grant usage on schema public to ${r}`.execute(trx);
    await sql`grant select on ${sql.join(READABLE.map((t) => sql.id(t)))} to ${r}`.execute(trx);
    await sql`revoke insert, update, delete, truncate on headlines, headline_terms, projection, projection_basis from ${r}`.execute(trx);
    await sql`grant insert (text) on search_queries to ${r}`.execute(trx);
    await sql`grant execute on all functions in schema public to ${r}`.execute(trx);
    return { created };
  });
}
