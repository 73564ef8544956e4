import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { buildHnswIndex, rebuildHnswIndex } from '../src/db/build-hnsw-index.ts';
import { createHnswIndexStatement, DEFAULT_HNSW_PARAMS, HNSW_INDEX_NAME, hnswIndexExists, reducedVectorExpression } from '../src/db/hnsw-index.ts';
import { fromVectorLiteral, toVectorLiteral } from '../src/db/vector-literal.ts';
import { describeEachDatabase } from './support/test-databases.ts';

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** A 512-d vector whose first components are `head`, the rest zero. */
function wide(head: number[]): Float32Array {
  const v = new Float32Array(512);
  v.set(unit(head));
  return v;
}

describeEachDatabase('vectors', (get) => {
  test('halfvec(512) and a reduced vector round-trip (to half precision)', async () => {
    const { db } = get().database;
    const full = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 10);
    const reduced = Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 64);
    const inserted = await db
      .insertInto('headlines')
      .values({ published_on: '2003-02-19', text: 'round trip', embedding: toVectorLiteral(full), embedding_reduced: toVectorLiteral(reduced) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await db.selectFrom('headlines').select(['published_on', 'embedding', 'embedding_reduced']).where('id', '=', inserted.id).executeTakeFirstOrThrow();
    assert.equal(row.published_on, '2003-02-19');
    const back = fromVectorLiteral(row.embedding);
    const backReduced = fromVectorLiteral(row.embedding_reduced);
    assert.equal(back.length, 512);
    assert.equal(backReduced.length, 64);
    // halfvec keeps ~3 significant digits.
    back.forEach((v, i) => assert.ok(Math.abs(v - full[i]!) <= 1e-3 * Math.max(1, Math.abs(full[i]!)), `component ${i}`));
    backReduced.forEach((v, i) => assert.ok(Math.abs(v - reduced[i]!) <= 1e-3, `reduced component ${i}`));
  });

  test('the same (date, text) cannot be stored twice', async () => {
    const { db } = get().database;
    const values = { published_on: '2003-02-20', text: 'dup', embedding: toVectorLiteral(wide([1])), embedding_reduced: toVectorLiteral([1, 0]) };
    await db.insertInto('headlines').values(values).execute();
    const again = await db.insertInto('headlines').values(values).onConflict((oc) => oc.columns(['published_on', 'text_hash']).doNothing()).returning('id').execute();
    assert.equal(again.length, 0);
    const other = await db.insertInto('headlines').values({ ...values, published_on: '2003-02-21' }).returning('id').execute();
    assert.equal(other.length, 1);
  });

  test('exact cosine nearest neighbours come back in the expected order', async () => {
    const { db } = get().database;
    await db.deleteFrom('headlines').execute();
    const rows = [
      { text: 'north', head: [1, 0, 0] },
      { text: 'north by north east', head: [0.9, 0.1, 0] },
      { text: 'north east', head: [1, 1, 0] },
      { text: 'east', head: [0, 1, 0] },
      { text: 'up', head: [0, 0, 1] },
      { text: 'south', head: [-1, 0, 0] },
    ];
    await db
      .insertInto('headlines')
      .values(rows.map((r) => ({ published_on: '2004-01-01', text: r.text, embedding: toVectorLiteral(wide(r.head)), embedding_reduced: toVectorLiteral(unit(r.head)) })))
      .execute();
    const query = toVectorLiteral(wide([1, 0.1, 0]));
    const { rows: ranked } = await sql<{ text: string; similarity: number }>`
      select text, 1 - (embedding <=> ${query}::halfvec(512)) as similarity
      from headlines order by embedding <=> ${query}::halfvec(512), id
    `.execute(db);
    assert.deepEqual(ranked.map((r) => r.text), ['north by north east', 'north', 'north east', 'east', 'up', 'south']);
    assert.ok(ranked[0]!.similarity > 0.99);
    assert.ok(Math.abs(ranked[5]!.similarity - -0.995) < 0.01);
    const { rows: reduced } = await sql<{ text: string }>`
      select text from headlines order by embedding_reduced::halfvec(3) <=> ${toVectorLiteral(unit([0, 1, 0.1]))}::halfvec(3), id limit 2
    `.execute(db);
    assert.deepEqual(reduced.map((r) => r.text), ['east', 'north east']);
  });
});

describeEachDatabase('hnsw index', (get) => {
  test('the index is created on the reduced vector and serves an ordered cosine query', async () => {
    const { db } = get().database;
    const rows = Array.from({ length: 300 }, (_, i) => {
      const angle = (i / 300) * Math.PI;
      return { published_on: '2005-05-05', text: `row ${i}`, embedding: toVectorLiteral(wide([Math.cos(angle), Math.sin(angle)])), embedding_reduced: toVectorLiteral([Math.cos(angle), Math.sin(angle), 0]) };
    });
    await db.insertInto('headlines').values(rows).execute();
    assert.equal(await hnswIndexExists(db), false);
    await createHnswIndexStatement(3).execute(db);
    assert.equal(await hnswIndexExists(db), true);
    const q = toVectorLiteral([1, 0.02, 0]);
    const plan = await db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`explain select id from headlines order by ${reducedVectorExpression(3)} <=> ${q}::halfvec(3) limit 5`.execute(trx);
    });
    assert.match(plan.rows.map((r) => r['QUERY PLAN']).join('\n'), /headlines_embedding_reduced_hnsw/);
    const top = await sql<{ text: string }>`select text from headlines order by ${reducedVectorExpression(3)} <=> ${q}::halfvec(3) limit 3`.execute(db);
    assert.deepEqual(top.rows.map((r) => r.text), ['row 2', 'row 1', 'row 3']);
  });

  test('parameters are validated', async () => {
    assert.throws(() => createHnswIndexStatement(64, { m: 1, efConstruction: 64 }), /out of range/);
    assert.throws(() => createHnswIndexStatement(0), /dimension/);
    await assert.rejects(rebuildHnswIndex(get().database, { workers: -1 }), /build workers/);
  });

  test('a rebuild leaves one valid index that still answers, and no build settings behind', async () => {
    const { database } = get();
    const { db } = database;
    if (!(await hnswIndexExists(db))) await buildHnswIndex(database, 3, DEFAULT_HNSW_PARAMS);
    const setting = async () => (await sql<{ v: string }>`select current_setting('maintenance_work_mem') as v`.execute(db)).rows[0]!.v;
    const before = await setting();
    await rebuildHnswIndex(database, { workers: 1 });
    const indexes = await sql<{ name: string; valid: boolean }>`
      select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = 'headlines'::regclass and c.relname like ${HNSW_INDEX_NAME + '%'}`.execute(db);
    assert.deepEqual(indexes.rows, [{ name: HNSW_INDEX_NAME, valid: true }]);
    // The pool hands back the connection that ran the rebuild (pg-pool reuses the most recent).
    assert.equal(await setting(), before);
    const q = toVectorLiteral([1, 0.02, 0]);
    const top = await sql<{ text: string }>`select text from headlines order by ${reducedVectorExpression(3)} <=> ${q}::halfvec(3) limit 3`.execute(db);
    assert.deepEqual(top.rows.map((r) => r.text), ['row 2', 'row 1', 'row 3']);
  });
});
