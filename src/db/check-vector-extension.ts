import { sql, type Kysely } from 'kysely';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { assessVectorExtension, type VectorExtensionReport } from './assess-vector-extension.ts';

async function readVectorExtension(db: Kysely<any>): Promise<VectorExtensionReport> {
  const { rows } = await sql<{ available: string | null; installed: string | null }>`
    select
      (select default_version from pg_available_extensions where name = 'vector') as available,
      (select extversion from pg_extension where extname = 'vector') as installed
  `.execute(db);
  return { available: rows[0]?.available ?? null, installed: rows[0]?.installed ?? null };
}

/** Fails fast, before any migration, on a server that cannot hold this schema. */
export async function checkVectorExtension(db: Kysely<any>): Promise<VectorExtensionReport> {
  const report = await readVectorExtension(db);
  const problem = assessVectorExtension(report);
  if (problem !== null) throw new AppError(ErrorCode.EXTENSION_UNAVAILABLE, problem);
  return report;
}
