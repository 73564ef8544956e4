import { sql, type Kysely, type RawBuilder } from 'kysely';

/** The one ANN index: HNSW, cosine, over the reduced embedding cast to its fixed dimension. */
export const HNSW_INDEX_NAME = 'headlines_embedding_reduced_hnsw';

export interface HnswParams {
  readonly m: number;
  readonly efConstruction: number;
}

/** pgvector's own defaults. */
export const DEFAULT_HNSW_PARAMS: HnswParams = Object.freeze({ m: 16, efConstruction: 64 });

/**
 * The indexed expression. `embedding_reduced` has no declared dimension (it depends on the
 * projection), so queries must use this exact expression for the planner to use the index.
 */
function reducedVectorSql(dimensions: number): string {
  return `(embedding_reduced::halfvec(${checkedDimensions(dimensions)}))`;
}

export function reducedVectorExpression(dimensions: number): RawBuilder<unknown> {
  return sql.raw(reducedVectorSql(dimensions));
}

export function createHnswIndexStatement(dimensions: number, params: HnswParams = DEFAULT_HNSW_PARAMS): RawBuilder<unknown> {
  const { m, ef } = checkedParams(params);
  return sql.raw(
    `create index if not exists ${HNSW_INDEX_NAME} on headlines ` +
      `using hnsw (${reducedVectorSql(dimensions)} halfvec_cosine_ops) ` +
      `with (m = ${m}, ef_construction = ${ef})`,
  );
}

/**
 * A calendar year's own HNSW index: a partial index over that year's rows, which
 * semantic_search uses for a range of a few years (migration 0015, headline_year_indexes).
 */
export function yearIndexName(year: number): string {
  if (!Number.isInteger(year) || year < 1 || year > 9999) throw new RangeError(`bad year ${year}`);
  return `headlines_reduced_hnsw_y${year}`;
}

export function createYearIndexStatement(year: number, dimensions: number, params: HnswParams = DEFAULT_HNSW_PARAMS): RawBuilder<unknown> {
  const { m, ef } = checkedParams(params);
  const y = String(year).padStart(4, '0');
  return sql.raw(
    `create index if not exists ${yearIndexName(year)} on headlines ` +
      `using hnsw (${reducedVectorSql(dimensions)} halfvec_cosine_ops) ` +
      `with (m = ${m}, ef_construction = ${ef}) ` +
      `where published_on >= '${y}-01-01' and published_on <= '${y}-12-31'`,
  );
}

export async function hnswIndexExists(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ exists: boolean }>`select to_regclass(${HNSW_INDEX_NAME}) is not null as exists`.execute(db);
  return rows[0]?.exists === true;
}

function checkedParams(params: HnswParams): { m: number; ef: number } {
  const m = Math.trunc(params.m);
  const ef = Math.trunc(params.efConstruction);
  if (m < 2 || m > 100 || ef < 4 || ef > 1000 || ef < 2 * m) {
    throw new RangeError(`HNSW parameters out of range: m=${params.m} (2..100), ef_construction=${params.efConstruction} (4..1000, >= 2m)`);
  }
  return { m, ef };
}

function checkedDimensions(dimensions: number): number {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4000) throw new RangeError(`bad vector dimension ${dimensions}`);
  return dimensions;
}
