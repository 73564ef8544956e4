import { sql, type Kysely, type Transaction } from 'kysely';
import type { Projection, ProjectionKind } from '../shared/projection-types.ts';
import type { DB } from './schema.ts';
import { fromVectorLiteral, toVectorLiteral } from './vector-literal.ts';

export interface StoredProjection {
  readonly modelId: string;
  readonly projection: Projection;
  readonly createdAt: Date;
}

/** Stores the projection in use. Only ever inserted once: the row's id is fixed at 1. */
export async function insertProjection(trx: Transaction<DB> | Kysely<DB>, modelId: string, projection: Projection): Promise<void> {
  await trx
    .insertInto('projection')
    .values({
      model_id: modelId,
      kind: projection.kind,
      input_dimensions: projection.inputDimensions,
      dimensions: projection.dimensions,
      params: JSON.stringify(projection.params),
      mean: projection.mean ? toVectorLiteral(projection.mean) : null,
      version: projection.version,
    })
    .execute();
  if (projection.basis.length > 0) {
    await trx
      .insertInto('projection_basis')
      .values(projection.basis.map((direction, component) => ({ component, direction: toVectorLiteral(direction) })))
      .execute();
  }
}

/** The model the stored vectors came from; null for a database not yet embedded, or not yet migrated. */
export async function loadModelId(db: Kysely<DB> | Transaction<DB>): Promise<string | null> {
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('projection') is not null as exists`.execute(db);
  if (!rows[0]?.exists) return null;
  const row = await db.selectFrom('projection').select('model_id').where('id', '=', 1).executeTakeFirst();
  return row?.model_id ?? null;
}

export async function loadProjection(db: Kysely<DB> | Transaction<DB>): Promise<StoredProjection | null> {
  const row = await db.selectFrom('projection').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) return null;
  const basis = await db.selectFrom('projection_basis').select('direction').orderBy('component').execute();
  return {
    modelId: row.model_id,
    createdAt: row.created_at,
    projection: Object.freeze({
      kind: row.kind as ProjectionKind,
      inputDimensions: row.input_dimensions,
      dimensions: row.dimensions,
      mean: row.mean ? fromVectorLiteral(row.mean) : null,
      basis: basis.map((b) => fromVectorLiteral(b.direction)),
      params: row.params as Record<string, number | string>,
      version: row.version,
    }),
  };
}

/** Serialises first-ingest fitting across processes: whoever gets the lock first stores it. */
export async function lockProjection(trx: Transaction<DB>): Promise<void> {
  await sql`lock table projection in exclusive mode`.execute(trx);
}
