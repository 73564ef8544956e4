import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { resolveEmbedModel } from '../src/app/resolve-embed-model.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { insertProjection } from '../src/db/projection-repository.ts';
import { configuredModelId, modelNameFor } from '../src/embedding/create-embedder.ts';
import { HASH_MODEL_ID } from '../src/embedding/hash-embedder.ts';
import { USE_INT8_MODEL_ID, USE_MODEL_ID } from '../src/embedding/use-model-files.ts';
import { fitPcaProjection } from '../src/projection/projection-pca.ts';
import { randomUnitVectors } from './support/random-vectors.ts';
import { describeEachDatabase } from './support/test-databases.ts';

test('EMBED_MODEL unset: the float model for a new database, and not marked as chosen', () => {
  const unset = parseConfig({});
  assert.equal(unset.embedModel, 'use-lite');
  assert.equal(unset.embedModelExplicit, false);
  const named = parseConfig({ EMBED_MODEL: 'USE-Lite' });
  assert.equal(named.embedModel, 'use-lite');
  assert.equal(named.embedModelExplicit, true);
});

test('every stored model id maps back to its EMBED_MODEL name; ids of retired models to none', () => {
  assert.equal(modelNameFor(USE_MODEL_ID), 'use-lite');
  assert.equal(modelNameFor(USE_INT8_MODEL_ID), 'use-lite-int8');
  assert.equal(modelNameFor(HASH_MODEL_ID), 'hash');
  assert.equal(modelNameFor(`${USE_MODEL_ID}/int8-dynamic-v1`), undefined);
  for (const name of ['use-lite', 'use-lite-int8', 'hash'] as const) assert.equal(modelNameFor(configuredModelId({ embedModel: name })), name);
});

const projection = await fitPcaProjection(randomUnitVectors(40, 512, 3), 8);

describeEachDatabase('the model a command uses follows the database', (get) => {
  beforeEach(async () => {
    const { db } = get().database;
    await db.deleteFrom('projection_basis').execute();
    await db.deleteFrom('projection').execute();
  });

  test('an empty database gets the default for new databases', async () => {
    const resolved = await resolveEmbedModel(parseConfig({}), get().database.db);
    assert.equal(resolved.embedModel, 'use-lite');
  });

  test('a database embedded with int8 keeps it without EMBED_MODEL', async () => {
    await insertProjection(get().database.db, USE_INT8_MODEL_ID, projection);
    const resolved = await resolveEmbedModel(parseConfig({}), get().database.db);
    assert.equal(resolved.embedModel, 'use-lite-int8');
    assert.equal(configuredModelId(resolved), USE_INT8_MODEL_ID);
  });

  test('a hash database keeps hash', async () => {
    await insertProjection(get().database.db, HASH_MODEL_ID, projection);
    assert.equal((await resolveEmbedModel(parseConfig({}), get().database.db)).embedModel, 'hash');
  });

  test('a set EMBED_MODEL is kept even when it differs, so the mismatch is refused where it always was', async () => {
    await insertProjection(get().database.db, USE_INT8_MODEL_ID, projection);
    const resolved = await resolveEmbedModel(parseConfig({ EMBED_MODEL: 'use-lite' }), get().database.db);
    assert.equal(resolved.embedModel, 'use-lite');
  });

  test('a retired model id leaves the default, whose id then fails the model check', async () => {
    await insertProjection(get().database.db, `${USE_MODEL_ID}/int8-dynamic-v1`, projection);
    const resolved = await resolveEmbedModel(parseConfig({}), get().database.db);
    assert.equal(resolved.embedModel, 'use-lite');
    assert.notEqual(configuredModelId(resolved), `${USE_MODEL_ID}/int8-dynamic-v1`);
  });
});
