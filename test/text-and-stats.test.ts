import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseBackend } from '../src/embedding/choose-backend.ts';
import { lengthBatches } from '../src/embedding/length-batches.ts';
import { normalizeText } from '../src/embedding/normalize-text.ts';
import { pearson, ranks, spearman } from '../src/eval/correlation.ts';

test('normalisation trims, collapses whitespace and lower-cases', () => {
  assert.equal(normalizeText('  Storm\tHits\n  NSW   Coast '), 'storm hits nsw coast');
  assert.equal(normalizeText('\u00a0 \u2003'), '');
  assert.equal(normalizeText(normalizeText('A  B')), 'a b');
});

test('backend choice: ONNX Runtime first, then native tfjs, else wasm with a warning; cpu only when asked', () => {
  assert.deepEqual(chooseBackend('auto', new Set(['onnx', 'wasm', 'tensorflow'])), { backend: 'onnx' });
  const wasm = chooseBackend('auto', new Set(['wasm', 'cpu']));
  assert.equal(wasm.backend, 'wasm');
  assert.match(wasm.warning ?? '', /onnxruntime-node did not load/);
  assert.equal(chooseBackend('auto', new Set(['wasm', 'tensorflow'])).backend, 'tensorflow');
  assert.equal(chooseBackend('auto', new Set(['wasm', 'tensorflow', 'tensorflow-gpu'])).backend, 'tensorflow-gpu');
  assert.deepEqual(chooseBackend('wasm', new Set(['onnx', 'wasm'])), { backend: 'wasm' });
  assert.throws(() => chooseBackend('onnx', new Set(['wasm'])), /onnxruntime-node.*reinstall it with npm ci/);
  const cpu = chooseBackend('cpu', new Set(['cpu']));
  assert.equal(cpu.backend, 'cpu');
  assert.match(cpu.warning ?? '', /4 sentences\/s/);
  assert.throws(() => chooseBackend('tensorflow', new Set(['wasm'])), /npm install @tensorflow\/tfjs-node@4\.22\.0/);
});

test('length batches group similar lengths and cover every index once', () => {
  const lengths = [5, 1, 9, 3, 3, 7, 2];
  const batches = lengthBatches(lengths, 3);
  assert.deepEqual(batches, [[1, 6, 3], [4, 0, 5], [2]]);
  assert.deepEqual(batches.flat().sort(), [0, 1, 2, 3, 4, 5, 6]);
});

test('correlations: known values, ties get average ranks', () => {
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6.5]) - 0.99795) < 1e-4);
  assert.equal(spearman([1, 2, 3, 4], [10, 200, 3000, 40000]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
});
