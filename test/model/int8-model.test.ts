import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { configuredModelId, createEmbedder } from '../../src/embedding/create-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { USE_INT8_MODEL_ID, USE_MODEL_ID } from '../../src/embedding/use-model-files.ts';
import { cosine } from '../../src/eval/correlation.ts';
import { readCorpusSample } from '../../src/eval/read-corpus-sample.ts';
import { readStsPairs } from '../../src/eval/read-sts-pairs.ts';
import { silentLogger } from '../../src/logger.ts';
import { runCli } from '../support/run-cli.ts';
import { makeServerDatabase, TEST_DATABASE_URL, NO_SERVER } from '../support/test-databases.ts';
import { referenceFile, requiredPath } from '../support/reference-data.ts';

const STS = referenceFile('STS_TSV');

const DEMO = 'data/demo-headlines.csv';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the int8 variant (EMBED_MODEL=use-lite-int8)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-int8-'));
  let float: Embedder;
  let int8: Embedder;
  let sentences: string[];

  before(async () => {
    // The STS test split's sentences, or the bundled demo headlines when it is not given.
    sentences = STS.skip
      ? await readCorpusSample('data/demo-headlines.csv', 1000)
      : [...new Set((await readStsPairs(requiredPath(STS))).flatMap((p) => [p.sentence1, p.sentence2]))];
    const config = (model: string) => parseConfig({ DATA_DIR: dataDir, EMBED_BACKEND: 'onnx', EMBED_MODEL: model, EMBED_WORKERS: '2' });
    float = await createEmbedder(config('use-lite'), silentLogger, 'bulk');
    int8 = await createEmbedder(config('use-lite-int8'), silentLogger, 'bulk');
  });

  after(async () => {
    await Promise.all([float?.close(), int8?.close()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('has its own model id, and vectors close to the float ones but not equal', async () => {
    assert.equal(int8.modelId, USE_INT8_MODEL_ID);
    assert.equal(configuredModelId(parseConfig({ EMBED_MODEL: 'use-lite-int8' })), USE_INT8_MODEL_ID);
    assert.notEqual(USE_INT8_MODEL_ID, USE_MODEL_ID);
    const [a, b] = [await float.embed(sentences), await int8.embed(sentences)];
    const cosines = sentences.map((_, i) => cosine(a[i]!, b[i]!));
    const minimum = Math.min(...cosines);
    assert.ok(minimum >= 0.99, `min cosine ${minimum} over ${sentences.length} sentences`);
    assert.ok(cosines.filter((c) => c < 0.99999).length > sentences.length / 2, 'int8 vectors are not the float ones');
    assert.ok(b.every((v) => Math.abs(Math.hypot(...v) - 1) < 1e-4), 'unit length');
  });

  test('is generated from the same weights and cached beside the float model', () => {
    const files = fs.readdirSync(path.join(dataDir, 'models')).sort();
    assert.equal(files.length, 2, files.join(', '));
    assert.match(files[0]!, /^use-lite-[0-9a-f]{16}-g\d+\.onnx$/);
    assert.match(files[1]!, /^use-lite-int8-[0-9a-f]{16}-g\d+\.onnx$/);
    assert.equal(files[0]!.split('-')[2], files[1]!.split('-')[3], 'same weights hash');
  });

  test('runs only on ONNX Runtime: another backend is a configuration error', async () => {
    const config = parseConfig({ DATA_DIR: dataDir, EMBED_BACKEND: 'wasm', EMBED_MODEL: 'use-lite-int8' });
    await assert.rejects(createEmbedder(config, silentLogger, 'query'), { code: 'CONFIG_INVALID', message: /use-lite-int8 runs only on ONNX Runtime/ });
  });
});

for (const mode of ['pglite', 'postgres'] as const) {
  describe(`a database keeps the model it was made with [${mode}]`, { skip: mode === 'postgres' && !TEST_DATABASE_URL ? NO_SERVER : false }, () => {
    const dirs: string[] = [];
    const cleanups: Array<() => Promise<void>> = [];

    // Rows not in the demo file: an ingest of nothing new embeds nothing and checks nothing.
    const moreRows = (dir: string) => {
      const file = path.join(dir, 'more.csv');
      fs.writeFileSync(file, 'publish_date,headline_text\n20240102,council approves new library for river town\n20240103,drought hits wheat growers in the west\n');
      return file;
    };

    const freshDatabase = async (): Promise<Record<string, string>> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-int8-db-'));
      dirs.push(dir);
      const env: Record<string, string> = { DATA_DIR: dir, EMBEDDED_DB_PORT: '0', EMBED_WORKERS: '2', LOG_LEVEL: 'error' };
      if (mode === 'postgres') {
        const made = await makeServerDatabase();
        cleanups.push(made.cleanup);
        env.DATABASE_URL = made.url;
      }
      return env;
    };

    after(async () => {
      for (const cleanup of cleanups) await cleanup();
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('made with --model use-lite-int8: int8 queries search it; float queries and float ingests are refused', async () => {
      const env = await freshDatabase();
      const made = await runCli(['ingest', DEMO, '--model', 'use-lite-int8', '--quiet'], env);
      assert.equal(made.code, 0, made.stderr);

      const int8Search = await runCli(['search', 'bushfire threatens homes'], { ...env, EMBED_MODEL: 'use-lite-int8' });
      assert.equal(int8Search.code, 0, int8Search.stderr);
      assert.match(int8Search.stdout.split('\n')[0]!, /^0\.\d{4}  .*fire/i);

      // EMBED_MODEL unset: the database's model.
      const inherited = await runCli(['search', 'bushfire threatens homes'], env);
      assert.equal(inherited.code, 0, inherited.stderr);
      assert.equal(inherited.stdout, int8Search.stdout);

      const refusal = new RegExp(`embedded with model ${escape(USE_INT8_MODEL_ID)}, this program uses ${escape(USE_MODEL_ID)}\\b`);
      const floatSearch = await runCli(['search', 'bushfire threatens homes'], { ...env, EMBED_MODEL: 'use-lite' });
      assert.equal(floatSearch.code, 1);
      assert.match(floatSearch.stderr, refusal);
      const floatIngest = await runCli(['ingest', moreRows(env.DATA_DIR!), '--model', 'use-lite', '--quiet'], env);
      assert.equal(floatIngest.code, 1);
      assert.match(floatIngest.stderr, refusal);
    });

    test('made with float vectors: int8 ingests and int8 queries are refused', async () => {
      const env = await freshDatabase();
      const made = await runCli(['ingest', DEMO, '--model', 'use-lite', '--quiet'], env);
      assert.equal(made.code, 0, made.stderr);
      const refusal = new RegExp(`embedded with model ${escape(USE_MODEL_ID)}, this program uses ${escape(USE_INT8_MODEL_ID)}`);
      const int8Ingest = await runCli(['ingest', moreRows(env.DATA_DIR!), '--model', 'use-lite-int8', '--quiet'], env);
      assert.equal(int8Ingest.code, 1);
      assert.match(int8Ingest.stderr, refusal);
      const int8Search = await runCli(['search', 'bushfire threatens homes'], { ...env, EMBED_MODEL: 'use-lite-int8' });
      assert.equal(int8Search.code, 1);
      assert.match(int8Search.stderr, refusal);
      const floatSearch = await runCli(['search', 'bushfire threatens homes'], env);
      assert.equal(floatSearch.code, 0, floatSearch.stderr);
      const floatIngest = await runCli(['ingest', moreRows(env.DATA_DIR!), '--quiet'], env);
      assert.equal(floatIngest.code, 0, floatIngest.stderr);
    });

    test('a new database without EMBED_MODEL is embedded with the float model', async () => {
      const env = await freshDatabase();
      const made = await runCli(['ingest', DEMO, '--quiet'], env);
      assert.equal(made.code, 0, made.stderr);
      const int8Search = await runCli(['search', 'bushfire threatens homes'], { ...env, EMBED_MODEL: 'use-lite-int8' });
      assert.equal(int8Search.code, 1);
      assert.match(int8Search.stderr, new RegExp(`embedded with model ${escape(USE_MODEL_ID)}, this program uses ${escape(USE_INT8_MODEL_ID)}`));
    });
  });
}
