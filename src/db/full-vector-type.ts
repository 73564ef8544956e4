import { sql } from 'kysely';

/** The column type of a full embedding (USE-lite's 512 dimensions at half precision), as the migrations declare it. */
export const FULL_VECTOR_TYPE = 'halfvec(512)';

/** For casts in SQL templates: `${vector}::${fullVector}`. */
export const fullVector = sql.raw(FULL_VECTOR_TYPE);
