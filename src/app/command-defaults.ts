// Commands take their option defaults and bounds from here, so that they import src/app only;
// the values stay with the layers that own them.
export { DEFAULT_HNSW_BUILD, MAX_HNSW_BUILD_WORKERS } from '../db/build-hnsw-index.ts';
export { DEFAULT_HNSW_PARAMS } from '../db/hnsw-index.ts';
export { PCA_SAMPLE_SIZE } from '../projection/create-projection.ts';
