import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { createEmbedder } from '../../src/embedding/create-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { cosine } from '../../src/eval/correlation.ts';
import { silentLogger } from '../../src/logger.ts';

const texts = [
  'council approves new water restrictions',
  'man charged over fatal crash',
  'rain',
  'australian dollar falls against us dollar as commodity prices slide',
  'bushfire threatens homes in the adelaide hills',
  'scientists warn great barrier reef bleaching worsening after record summer heatwave',
  'cricket: australia wins second test',
  'hospital waiting lists blow out',
  'police investigate armed robbery at service station',
  'drought relief package announced for farmers',
];

describe('USE-lite embedders', () => {
  let local: Embedder;
  let pool: Embedder;

  before(async () => {
    const config = parseConfig({ EMBED_WORKERS: '2', EMBED_BATCH_SIZE: '3', EMBED_BACKEND: 'wasm' });
    [local, pool] = await Promise.all([createEmbedder(config, silentLogger, 'query'), createEmbedder(config, silentLogger, 'bulk')]);
  });

  after(async () => {
    await Promise.all([local?.close(), pool?.close()]);
  });

  test('identity: 512-d unit vectors, model id and backend reported', async () => {
    const [v] = await local.embed(['storm hits coast']);
    assert.equal(v!.length, 512);
    assert.ok(Math.abs(Math.hypot(...v!) - 1) < 1e-4);
    assert.equal(local.dimensions, 512);
    assert.match(local.modelId, /universal-sentence-encoder-lite/);
    assert.equal(local.backend, 'wasm');
    assert.equal(pool.backend, 'wasm');
  });

  test('the pool returns results in input order across workers, equal to in-process embeddings', async () => {
    const many = Array.from({ length: 40 }, (_, i) => texts[i % texts.length]! + (i >= texts.length ? ` ${i}` : ''));
    const pooled = await pool.embed(many);
    assert.equal(pooled.length, many.length);
    for (let i = 0; i < many.length; i++) {
      const [single] = await local.embed([many[i]!]);
      assert.ok(cosine(pooled[i]!, single!) > 0.9999, `text ${i}: ${many[i]}`);
    }
  });

  test('concurrent calls on the pool each get their own results', async () => {
    const [a, b] = await Promise.all([pool.embed(texts.slice(0, 5)), pool.embed(texts.slice(5))]);
    const all = await local.embed(texts);
    [...a, ...b].forEach((v, i) => assert.ok(cosine(v, all[i]!) > 0.9999));
  });

  test('normalisation is applied: case and spacing do not change the vector', async () => {
    const [a, b] = await local.embed(['  Bushfire   THREATENS homes ', 'bushfire threatens homes']);
    assert.ok(cosine(a!, b!) > 0.99999);
  });

  test('meaning: related headlines are closer than unrelated ones', async () => {
    const [fire, blaze, cricket] = await local.embed(['bushfire threatens homes', 'blaze destroys houses near town', 'cricket team wins test match']);
    assert.ok(cosine(fire!, blaze!) > cosine(fire!, cricket!) + 0.1);
  });

  test('empty text is refused with BAD_USER_INPUT by both', async () => {
    await assert.rejects(local.embed(['ok', '   ']), { code: 'BAD_USER_INPUT' });
    await assert.rejects(pool.embed(['ok', '   ']), { code: 'BAD_USER_INPUT' });
    assert.equal((await pool.embed(['still works'])).length, 1);
  });
});
