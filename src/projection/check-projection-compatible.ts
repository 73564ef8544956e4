import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { ProjectionKind } from '../shared/projection-types.ts';

export interface StoredProjectionSummary {
  readonly modelId: string;
  readonly kind: ProjectionKind;
  readonly dimensions: number;
  readonly version: number;
}

export interface ProjectionExpectation {
  readonly modelId: string;
  readonly version: number;
  /** Only what the user asked for explicitly; unset means "whatever is stored". */
  readonly kind?: ProjectionKind;
  readonly dimensions?: number;
}

/**
 * Every reduced vector in the database was made by the stored projection from the stored
 * model. Anything else would silently mix incomparable vectors, so it is refused.
 */
export function checkProjectionCompatible(stored: StoredProjectionSummary, expected: ProjectionExpectation): void {
  const problems: string[] = [];
  if (stored.modelId !== expected.modelId) problems.push(`the database was embedded with model ${stored.modelId}, this program uses ${expected.modelId}`);
  if (stored.version !== expected.version) problems.push(`the stored projection has format version ${stored.version}, this program uses ${expected.version}`);
  if (expected.kind !== undefined && expected.kind !== stored.kind) problems.push(`the database uses projection ${stored.kind}, not ${expected.kind}`);
  if (expected.dimensions !== undefined && expected.dimensions !== stored.dimensions) {
    problems.push(`the database uses ${stored.dimensions} reduced dimensions, not ${expected.dimensions}`);
  }
  if (problems.length > 0) {
    throw new AppError(
      ErrorCode.PROJECTION_MISMATCH,
      `Projection mismatch: ${problems.join('; ')}. Drop the options to use what is stored, or start from an empty database.`,
    );
  }
}
