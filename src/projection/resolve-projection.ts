import type { Database } from '../db/open-database.ts';
import { insertProjection, loadProjection, lockProjection, type StoredProjection } from '../db/projection-repository.ts';
import { checkProjectionCompatible } from './check-projection-compatible.ts';
import { DEFAULT_PROJECTION, type ProjectionRequest } from './create-projection.ts';
import { PROJECTION_VERSION } from './projection.ts';
import type { Projection, ProjectionKind } from '../shared/projection-types.ts';

export interface ProjectionOptions {
  readonly modelId: string;
  readonly inputDimensions: number;
  /** Only what the user asked for; unset means the stored one, or the default for a first ingest. */
  readonly kind?: ProjectionKind;
  readonly dimensions?: number;
}

/** The stored projection, after checking it is what the command asks for; null if none yet. */
export async function storedProjection(database: Database, options: ProjectionOptions): Promise<Projection | null> {
  const stored = await loadProjection(database.db);
  return stored ? matching(stored, options) : null;
}

function matching(stored: StoredProjection, options: ProjectionOptions): Projection {
  checkProjectionCompatible(
    { modelId: stored.modelId, kind: stored.projection.kind, dimensions: stored.projection.dimensions, version: stored.projection.version },
    { modelId: options.modelId, version: PROJECTION_VERSION, kind: options.kind, dimensions: options.kind === 'none' ? undefined : options.dimensions },
  );
  return stored.projection;
}

export function projectionRequest(options: ProjectionOptions): ProjectionRequest {
  const kind = options.kind ?? DEFAULT_PROJECTION.kind;
  return { kind, dimensions: kind === 'none' ? options.inputDimensions : options.dimensions ?? DEFAULT_PROJECTION.dimensions, seed: DEFAULT_PROJECTION.seed };
}

/**
 * First ingest: store the freshly fitted projection, under a table lock so two concurrent
 * first ingests agree on one (the later one adopts the stored one, if compatible).
 */
export async function storeProjectionOnce(database: Database, options: ProjectionOptions, fitted: () => Promise<Projection>): Promise<Projection> {
  return database.db.transaction().execute(async (trx) => {
    await lockProjection(trx);
    const existing = await loadProjection(trx);
    if (existing) return matching(existing, options);
    const projection = await fitted();
    await insertProjection(trx, options.modelId, projection);
    return projection;
  });
}
