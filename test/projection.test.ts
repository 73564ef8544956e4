import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProjectionCompatible } from '../src/projection/check-projection-compatible.ts';
import { createProjection } from '../src/projection/create-projection.ts';
import { gaussianProjection } from '../src/projection/projection-gaussian.ts';
import { fitPcaProjection, PcaAccumulator } from '../src/projection/projection-pca.ts';
import { createTfGram } from '../src/projection/tf-gram.ts';
import { createOnnxGram } from '../src/projection/onnx-gram.ts';
import { onnxBatchProjector } from '../src/projection/onnx-batch-projector.ts';
import { identityProjection, project } from '../src/projection/projection.ts';
import { seededNormal } from '../src/projection/seeded-random.ts';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symmetricEigen, symmetricEigenInWorker } from '../src/projection/symmetric-eigen.ts';
import { tridiagonalQl } from '../src/projection/tridiagonal-ql.ts';
import { isAppError } from '../src/errors/app-error.ts';

const d = 32;

function syntheticSamples(n: number, seed: number): { samples: Float32Array[]; dominant: Float32Array; second: Float32Array } {
  const normal = seededNormal(seed);
  const dominant = new Float32Array(d);
  const second = new Float32Array(d);
  // Two orthogonal unit directions, not aligned with any axis.
  for (let i = 0; i < d; i++) {
    dominant[i] = (i % 2 === 0 ? 1 : -1) / Math.sqrt(d);
    second[i] = (i < d / 2 ? 1 : -1) / Math.sqrt(d);
  }
  const samples = Array.from({ length: n }, () => {
    const a = normal() * 10;
    const b = normal() * 3;
    return Float32Array.from({ length: d }, (_, i) => 5 + a * dominant[i]! + b * second[i]! + normal() * 0.1);
  });
  return { samples, dominant, second };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

test('pca recovers a known dominant direction, then the second, and centres on the mean', async () => {
  const { samples, dominant, second } = syntheticSamples(2000, 7);
  const pca = await fitPcaProjection(samples, 2);
  assert.equal(pca.kind, 'pca');
  assert.ok(Math.abs(dot(pca.basis[0]!, dominant)) > 0.999, 'first component is the dominant direction');
  assert.ok(Math.abs(dot(pca.basis[1]!, second)) > 0.99, 'second component is the second direction');
  assert.ok(Math.abs(pca.mean![0]! - 5) < 0.5);
  assert.ok(Number(pca.params.explainedVariance) > 0.95);
  // The projection of the mean itself is (almost) zero.
  const atMean = project(pca, pca.mean!);
  assert.ok(Math.hypot(...atMean) < 1e-4);
});

test('pca is deterministic for a fixed sample, signs included', async () => {
  const { samples } = syntheticSamples(500, 3);
  const a = await fitPcaProjection(samples, 4);
  const b = await fitPcaProjection(samples.map((s) => Float32Array.from(s)), 4);
  assert.deepEqual(a.basis, b.basis);
  assert.deepEqual(a.mean, b.mean);
});

test('gaussian is reproducible from its seed, entries ~ N(0, 1/k)', () => {
  const a = gaussianProjection(512, 64, 42);
  const b = gaussianProjection(512, 64, 42);
  const c = gaussianProjection(512, 64, 43);
  assert.deepEqual(a.basis, b.basis);
  assert.notDeepEqual(a.basis, c.basis);
  const all = a.basis.flatMap((r) => Array.from(r));
  const mean = all.reduce((s, v) => s + v, 0) / all.length;
  const variance = all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length;
  assert.ok(Math.abs(mean) < 0.005);
  assert.ok(Math.abs(variance - 1 / 64) < 0.001, `variance ${variance}`);
  assert.equal(a.params.seed, 42);
});

test('none is the identity', async () => {
  const v = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i));
  const none = await createProjection({ kind: 'none', dimensions: 512 }, [], 512);
  assert.deepEqual(project(none, v), v);
  assert.deepEqual(none, identityProjection(512));
});

test('a vector of the wrong size is refused', () => {
  assert.throws(() => project(gaussianProjection(512, 8, 1), new Float32Array(10)), /512-d/);
});

test('a stored projection that differs from what a command asks for is refused, naming each difference', () => {
  const stored = { modelId: 'use-lite/1', kind: 'pca' as const, dimensions: 64, version: 1 };
  checkProjectionCompatible(stored, { modelId: 'use-lite/1', version: 1 });
  checkProjectionCompatible(stored, { modelId: 'use-lite/1', version: 1, kind: 'pca', dimensions: 64 });
  assert.throws(
    () => checkProjectionCompatible(stored, { modelId: 'use-lite/2', version: 1, kind: 'gaussian', dimensions: 32 }),
    (e: unknown) => isAppError(e, 'PROJECTION_MISMATCH') && /model use-lite\/1/.test(e.message) && /not gaussian/.test(e.message) && /not 32/.test(e.message),
  );
});

for (const [runtime, gram] of [['tfjs', () => createTfGram('wasm')], ['ONNX Runtime', createOnnxGram]] as const) {
  test(`PCA with the ${runtime} XᵀX equals the plain JavaScript fit`, async () => {
    const { samples } = syntheticSamples(3000, 5);
    const plain = await fitPcaProjection(samples, 3);
    const fast = new PcaAccumulator(d, await gram());
    for (let i = 0; i < samples.length; i += 1000) await fast.add(samples.slice(i, i + 1000));
    const viaGram = await fast.fit(3);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(dot(plain.basis[c]!, viaGram.basis[c]!)) > 0.9999, `component ${c}`);
    plain.mean!.forEach((m, i) => assert.ok(Math.abs(m - viaGram.mean![i]!) < 1e-5));
  });
}

test('the eigen-decomposition on a worker thread equals the in-thread one, and both are eigenpairs', async () => {
  const n = 24;
  const symmetric = randomSymmetric(n, 11);
  const [here, there] = await Promise.all([symmetricEigen(symmetric, n), symmetricEigenInWorker(symmetric, n)]);
  assert.deepEqual(there.values, here.values);
  assert.deepEqual(there.vectors, here.vectors);
  for (let k = 1; k < n; k++) assert.ok(here.values[k - 1]! <= here.values[k]!, 'values ascending');
  // A·v = λ·v and unit length for every pair, so the result is an eigen-decomposition at all.
  for (let k = 0; k < n; k++) {
    const v = here.vectors.subarray(k * n, (k + 1) * n);
    assert.ok(Math.abs(v.reduce((a, x) => a + x * x, 0) - 1) < 1e-12);
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += symmetric[i * n + j]! * v[j]!;
      assert.ok(Math.abs(av - here.values[k]! * v[i]!) < 1e-9, `pair ${k} row ${i}`);
    }
  }
});

test("the flat-array solver gives ml-matrix's symmetric solver's bits", () => {
  const n = 96;
  const symmetric = randomSymmetric(n, 5);
  const reference = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(symmetric.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true });
  const vectors = Float64Array.from(symmetric);
  const values = tridiagonalQl(vectors, n);
  assert.deepEqual(Array.from(values), reference.realEigenvalues);
  const expected = reference.eigenvectorMatrix;
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) assert.equal(vectors[k * n + i], expected.get(i, k), `vector ${k} component ${i}`);
});

function randomSymmetric(n: number, seed: number): Float64Array {
  const random = seededNormal(seed);
  const a = Float64Array.from({ length: n * n }, () => random());
  return Float64Array.from(a, (_, k) => a[k]! + a[(k % n) * n + Math.floor(k / n)]!);
}

test('batch projection on ONNX Runtime equals the per-vector JavaScript projection', async () => {
  const { samples } = syntheticSamples(300, 9);
  const projections = [await fitPcaProjection(samples, 3), gaussianProjection(d, 5, 7), identityProjection(d)];
  for (const p of projections) {
    const viaOnnx = await (await onnxBatchProjector(p))(samples);
    assert.equal(viaOnnx.length, samples.length);
    samples.forEach((s, i) => {
      const expected = project(p, s);
      assert.equal(viaOnnx[i]!.length, p.dimensions);
      expected.forEach((v, c) => assert.ok(Math.abs(v - viaOnnx[i]![c]!) < 1e-4 * (1 + Math.abs(v)), `${p.kind} row ${i} component ${c}`));
    });
  }
  await assert.rejects((await onnxBatchProjector(projections[0]!))([new Float32Array(3)]), /expected a \d+-d vector/);
});
