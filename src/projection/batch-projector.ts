import { project } from './projection.ts';
import type { Projection } from '../shared/projection-types.ts';

/** Applies one projection to a batch of full vectors (one reduced vector each, in order). */
export type BatchProjector = (vectors: readonly Float32Array[]) => Promise<Float32Array[]>;

/** Makes the projector for a projection once it is known (fitted or read from the database). */
export type BatchProjectorFactory = (projection: Projection) => Promise<BatchProjector>;

/** Plain JavaScript, one vector at a time: the fallback with no native runtime. */
export const jsBatchProjector: BatchProjectorFactory = async (projection) => async (vectors) => vectors.map((v) => project(projection, v));
