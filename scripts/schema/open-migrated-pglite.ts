import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * A fresh in-memory PGlite (with pgvector) with every migration in `folder` applied, in the
 * order and under the naming rule of src/db/sql-file-migration-provider.ts. Returns the
 * database and the migration files applied.
 */
export async function openMigratedPglite(folder: string): Promise<{ db: PGlite; files: string[] }> {
  const files = fs.readdirSync(folder).filter((f) => f.endsWith('.sql')).sort();
  const db = await PGlite.create({ extensions: { vector, pg_trgm } });
  try {
    for (const file of files) {
      if (!/^\d{4}_[a-z0-9_]+\.sql$/.test(file)) throw new Error(`Migration file name ${file} does not match NNNN_snake_case.sql`);
      await db.exec(fs.readFileSync(path.join(folder, file), 'utf8'));
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, files };
}
