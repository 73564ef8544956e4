import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/parse-config.ts';
import { createEmbedder } from '../../src/embedding/create-embedder.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { ensureUseLiteOnnxFile } from '../../src/embedding/onnx/use-lite-onnx-file.ts';
import { useModelDir } from '../../src/embedding/use-model-files.ts';
import { cosine } from '../../src/eval/correlation.ts';
import { readStsPairs } from '../../src/eval/read-sts-pairs.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { readCorpusSample } from '../../src/eval/read-corpus-sample.ts';
import { referenceFile, requiredPath } from '../support/reference-data.ts';
import { runCli } from '../support/run-cli.ts';

const STS = referenceFile('STS_TSV');

/** The STS test split's sentences, or the bundled demo headlines when it is not given. */
async function agreementSentences(): Promise<string[]> {
  if (STS.skip) return readCorpusSample('data/demo-headlines.csv', 1000);
  const pairs = await readStsPairs(requiredPath(STS));
  return [...new Set(pairs.flatMap((p) => [p.sentence1, p.sentence2]))];
}

describe('USE-lite on ONNX Runtime', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-onnx-'));
  let onnx: Embedder;
  let pool: Embedder;
  let wasm: Embedder;
  let sentences: string[];

  before(async () => {
    sentences = await agreementSentences();
    const config = (backend: string) => parseConfig({ DATA_DIR: dataDir, EMBED_BACKEND: backend, EMBED_MODEL: 'use-lite', EMBED_WORKERS: '2', EMBED_BATCH_SIZE: '16' });
    onnx = await createEmbedder(config('onnx'), silentLogger, 'query');
    pool = await createEmbedder(config('onnx'), silentLogger, 'bulk');
    wasm = await createEmbedder(config('wasm'), silentLogger, 'query');
  });

  after(async () => {
    await Promise.all([onnx?.close(), pool?.close(), wasm?.close()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('every STS sentence (or demo headline): every ONNX vector has cosine ≥ 0.9999 with the tfjs-wasm one', async () => {
    assert.equal(onnx.backend, 'onnx');
    assert.equal(onnx.modelId, wasm.modelId, 'same weights, same model id: stored vectors stay compatible');
    const [a, b] = [await onnx.embed(sentences), await wasm.embed(sentences)];
    let minimum = 1;
    sentences.forEach((s, i) => {
      const c = cosine(a[i]!, b[i]!);
      minimum = Math.min(minimum, c);
      assert.ok(c >= 0.9999, `${c} for ${JSON.stringify(s)}`);
    });
    assert.ok(minimum < 1 + 1e-6 && a.every((v) => v.length === 512));
  });

  test('the worker pool returns the same vectors, in input order', async () => {
    assert.equal(pool.backend, 'onnx');
    const [pooled, local] = [await pool.embed(sentences.slice(0, 100)), await onnx.embed(sentences.slice(0, 100))];
    pooled.forEach((v, i) => assert.ok(cosine(v, local[i]!) > 0.99999, `sentence ${i}`));
  });

  test('padding never leaks: a text embeds the same alone and beside a much longer one', async () => {
    const short = 'rain';
    const long = 'scientists warn great barrier reef bleaching worsening after record summer heatwave and flooding rains';
    const [together, alone] = [await onnx.embed([short, long]), await onnx.embed([short])];
    assert.ok(cosine(together[0]!, alone[0]!) > 0.99999);
  });

  test('texts past the 128-token limit are clipped as the TF graph clips them', async () => {
    const long = Array.from({ length: 90 }, (_, i) => `council meeting ${i}`).join(' ');
    const [a, b] = [await onnx.embed([long]), await wasm.embed([long])];
    assert.ok(cosine(a[0]!, b[0]!) >= 0.9999);
    const [longer] = await onnx.embed([`${long} and then some more words at the very end`]);
    assert.ok(cosine(a[0]!, longer!) > 0.99999, 'tokens after the limit change nothing');
  });

  test('empty text is refused with BAD_USER_INPUT', async () => {
    await assert.rejects(onnx.embed(['ok', '  ']), { code: 'BAD_USER_INPUT' });
    await assert.rejects(pool.embed(['ok', '  ']), { code: 'BAD_USER_INPUT' });
  });

  test('the generated model is cached under DATA_DIR/models by the weights hash', async () => {
    const files = fs.readdirSync(path.join(dataDir, 'models'));
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^use-lite-[0-9a-f]{16}-g\d+\.onnx$/);
    const file = path.join(dataDir, 'models', files[0]!);
    const before = fs.statSync(file).mtimeMs;
    assert.equal(await ensureUseLiteOnnxFile(path.join(dataDir, 'models')), file);
    assert.equal(fs.statSync(file).mtimeMs, before, 'reused, not regenerated');

    // Other weights (one byte changed) get their own file.
    const altered = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-weights-'));
    try {
      fs.cpSync(useModelDir(), altered, { recursive: true });
      const shard = path.join(altered, 'group1-shard7of7');
      const bytes = fs.readFileSync(shard);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
      fs.writeFileSync(shard, bytes);
      const other = await ensureUseLiteOnnxFile(path.join(dataDir, 'models'), altered);
      assert.notEqual(other, file);
      assert.deepEqual(fs.readdirSync(path.join(dataDir, 'models')).sort(), [path.basename(file), path.basename(other)].sort());
    } finally {
      fs.rmSync(altered, { recursive: true, force: true });
    }
  });
});

test('a damaged cached model is regenerated, with a warning, instead of failing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-onnx-damaged-'));
  try {
    const config = parseConfig({ DATA_DIR: dir, EMBED_BACKEND: 'onnx', EMBED_MODEL: 'use-lite' });
    await (await createEmbedder(config, silentLogger, 'query')).close();
    const [name] = fs.readdirSync(path.join(dir, 'models'));
    const file = path.join(dir, 'models', name!);
    const size = fs.statSync(file).size;
    fs.writeFileSync(file, 'not a protobuf');
    const lines: string[] = [];
    const embedder = await createEmbedder(config, createLogger('warn', (line) => lines.push(line)), 'query');
    try {
      const [v] = await embedder.embed(['storm hits coast']);
      assert.ok(Math.abs(Math.hypot(...v!) - 1) < 1e-4);
    } finally {
      await embedder.close();
    }
    assert.match(lines.join(''), /cached ONNX model .* did not load .*regenerating it/);
    assert.equal(fs.statSync(file).size, size);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'models')), [name], 'no temporary files left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('eval sts reports both runtimes side by side and their agreement', { skip: STS.skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-eval-'));
  try {
    const lines = fs.readFileSync(requiredPath(STS), 'utf8').split('\n').slice(0, 61);
    fs.writeFileSync(path.join(dir, 'sts.tsv'), lines.join('\n'));
    const { code, stdout, stderr } = await runCli(['eval', 'sts', path.join(dir, 'sts.tsv'), '--corpus', 'data/demo-headlines.csv'], {
      DATA_DIR: dir,
      EMBED_WORKERS: '1',
    });
    assert.equal(code, 0, stderr);
    for (const backend of ['onnx', 'wasm']) assert.match(stdout, new RegExp(`^${backend}\\s+full\\s+512\\s+0\\.\\d{4}`, 'm'));
    const min = Number(/onnx vs wasm: cosine over all 120 sentences \(\d+ distinct\): min ([\d.]+)/.exec(stdout)?.[1]);
    assert.ok(min >= 0.9999, stdout);
    const spearman = (b: string) => Number(new RegExp(`^${b}\\s+full\\s+512\\s+([\\d.]+)`, 'm').exec(stdout)![1]);
    assert.ok(Math.abs(spearman('onnx') - spearman('wasm')) < 0.002);
    // The int8 variant is evaluated beside its float original, with its own model id.
    assert.match(stdout, /^onnx-int8\s+full\s+512\s+0\.\d{4}/m);
    const int8Min = Number(/onnx-int8 vs wasm: cosine over all 120 sentences \(\d+ distinct\): min ([\d.]+)/.exec(stdout)?.[1]);
    assert.ok(int8Min >= 0.99 && int8Min < 0.99999, stdout);
    assert.ok(Math.abs(spearman('onnx-int8') - spearman('onnx')) < 0.01, stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI embeds with ONNX Runtime by default, and says so; its vectors equal tfjs-wasm ones', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hs-cli-onnx-'));
  try {
    const byDefault = await runCli(['embed'], { DATA_DIR: dir }, 'bushfire threatens homes\n');
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.match(byDefault.stderr, /embedding: USE-lite on onnx/);
    const viaWasm = await runCli(['embed'], { DATA_DIR: dir, EMBED_BACKEND: 'wasm' }, 'bushfire threatens homes\n');
    assert.match(viaWasm.stderr, /embedding: USE-lite on wasm/);
    const [a, b] = [byDefault, viaWasm].map((r) => Float32Array.from(JSON.parse(r.stdout.trim()) as number[]));
    assert.ok(cosine(a!, b!) >= 0.9999);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
