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

/** The stored projection, after checking it is what the command asks for (the caller reads it from the database). */
export function matchingProjection(stored: { readonly modelId: string; readonly projection: Projection }, options: ProjectionOptions): Projection {
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
