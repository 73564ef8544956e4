import { sql } from 'kysely';
import { createHnswIndexStatement, HNSW_INDEX_NAME, type HnswParams } from './hnsw-index.ts';
import type { Database } from './open-database.ts';

/**
 * Builds the HNSW index once, after a bulk load (far faster than maintaining it row by
 * row), with room to build the graph in memory, then refreshes planner statistics.
 */
export async function buildHnswIndex(database: Database, dimensions: number, params: HnswParams): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    // WebAssembly memory is limited; a server gets a generous budget and a parallel worker.
    await sql`select set_config('maintenance_work_mem', ${database.mode === 'embedded' ? '256MB' : '1GB'}, true)`.execute(trx);
    if (database.mode === 'server') await sql`select set_config('max_parallel_maintenance_workers', '1', true)`.execute(trx);
    await createHnswIndexStatement(dimensions, params).execute(trx);
  });
  await sql`analyze headlines`.execute(database.db);
}

/** Rebuilds the index; on a server without blocking reads or writes. */
export async function rebuildHnswIndex(database: Database): Promise<void> {
  if (database.mode === 'server') {
    await sql.raw(`reindex index concurrently ${HNSW_INDEX_NAME}`).execute(database.db);
  } else {
    await sql.raw(`reindex index ${HNSW_INDEX_NAME}`).execute(database.db);
  }
  await sql`analyze headlines`.execute(database.db);
}
