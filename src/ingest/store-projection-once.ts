import type { Database } from '../db/open-database.ts';
import { insertProjection, loadProjection, lockProjection } from '../db/projection-repository.ts';
import { matchingProjection, type ProjectionOptions } from '../projection/resolve-projection.ts';
import type { Projection } from '../shared/projection-types.ts';

/**
 * First ingest: store the freshly fitted projection, under a table lock so two concurrent
 * first ingests agree on one (the later one adopts the stored one, if compatible).
 */
export async function storeProjectionOnce(database: Database, options: ProjectionOptions, fitted: () => Promise<Projection>): Promise<Projection> {
  return database.db.transaction().execute(async (trx) => {
    await lockProjection(trx);
    const existing = await loadProjection(trx);
    if (existing) return matchingProjection(existing, options);
    const projection = await fitted();
    await insertProjection(trx, options.modelId, projection);
    return projection;
  });
}
