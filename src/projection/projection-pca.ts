import { AppError, ErrorCode } from '../errors/app-error.ts';
import { PROJECTION_VERSION } from './projection.ts';
import type { Projection } from '../shared/projection-types.ts';
import { symmetricEigen, type EigenFunction } from './symmetric-eigen.ts';

/** XᵀX (d × d, row-major) of `rows` samples packed row-major in `flat`. */
export type GramFunction = (flat: Float32Array, rows: number, d: number) => Promise<Float32Array>;

/**
 * PCA fitted on a sample of corpus embeddings: centre on the sample mean, keep the top-k
 * principal directions. Samples are accumulated one batch at a time, so an ingest can fit
 * while it is still embedding: the sum and XᵀX of the samples shifted by the first
 * batch's mean (which keeps float32 products from cancelling against a large mean). The
 * eigen-decomposition runs here or on a worker thread (`eigen`). Each direction's sign is fixed
 * (largest component positive) so refits are deterministic.
 */
export class PcaAccumulator {
  private readonly sum: Float64Array;
  private readonly cross: Float64Array;
  private shift: Float32Array | null = null;
  private n = 0;

  /** `gram`: an optimised XᵀX (ONNX Runtime's or tfjs's matmul); without it, plain JavaScript. */
  constructor(
    private readonly d: number,
    private readonly gram?: GramFunction,
  ) {
    this.sum = new Float64Array(d);
    this.cross = new Float64Array(d * d);
  }

  get count(): number {
    return this.n;
  }

  async add(raw: readonly Float32Array[]): Promise<void> {
    const { d, sum } = this;
    if (raw.length === 0) return;
    for (const s of raw) if (s.length !== d) throw new RangeError(`expected ${d}-d samples, got ${s.length}-d`);
    if (!this.shift) {
      const first = new Float64Array(d);
      for (const s of raw) for (let i = 0; i < d; i++) first[i]! += s[i]!;
      this.shift = Float32Array.from(first, (v) => v / raw.length);
    }
    const shift = this.shift;
    const samples = raw.map((s) => {
      const out = new Float32Array(d);
      for (let i = 0; i < d; i++) out[i] = s[i]! - shift[i]!;
      return out;
    });
    for (const s of samples) for (let i = 0; i < d; i++) sum[i]! += s[i]!;
    if (this.gram) {
      const flat = new Float32Array(samples.length * d);
      samples.forEach((s, r) => flat.set(s, r * d));
      const g = await this.gram(flat, samples.length, d);
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) this.cross[i * d + j]! += g[i * d + j]!;
      this.n += samples.length;
      return;
    }
    // Eight samples per pass over XᵀX: the 2 MiB accumulator is read and written an eighth
    // as often, which is what bounds this loop.
    const padded = [...samples];
    while (padded.length % 8 !== 0) padded.push(new Float32Array(d));
    for (let k = 0; k < padded.length; k += 8) {
      addEight(this.cross, d, padded[k]!, padded[k + 1]!, padded[k + 2]!, padded[k + 3]!, padded[k + 4]!, padded[k + 5]!, padded[k + 6]!, padded[k + 7]!);
    }
    this.n += samples.length;
  }

  async fit(dimensions: number, eigen: EigenFunction = symmetricEigen): Promise<Projection> {
    const { d, n, sum, cross } = this;
    if (n < 2) throw tooFewSamples(n);
    if (dimensions < 1 || dimensions > d) throw new RangeError(`PCA dimensions must be within 1..${d}`);
    // Mean and covariance of the shifted samples; the covariance does not depend on the shift.
    const shifted = Float64Array.from(sum, (v) => v / n);
    const mean = Float64Array.from(shifted, (v, i) => v + this.shift![i]!);
    const covariance = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const v = (cross[i * d + j]! - n * shifted[i]! * shifted[j]!) / (n - 1);
        covariance[i * d + j] = v;
        covariance[j * d + i] = v;
      }
    }
    const { values, vectors } = await eigen(covariance, d);
    const vector = (c: number) => Float32Array.from(vectors.subarray(c * d, (c + 1) * d));
    const order = Array.from(values, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
    const total = values.reduce((a, v) => a + Math.max(v, 0), 0);
    let kept = 0;
    const basis = order.slice(0, dimensions).map((c) => {
      kept += Math.max(values[c]!, 0);
      const direction = vector(c);
      let peak = 0;
      for (let i = 1; i < d; i++) if (Math.abs(direction[i]!) > Math.abs(direction[peak]!)) peak = i;
      if (direction[peak]! < 0) for (let i = 0; i < d; i++) direction[i] = -direction[i]!;
      return direction;
    });
    return Object.freeze({
      kind: 'pca',
      inputDimensions: d,
      dimensions,
      mean: Float32Array.from(mean),
      basis,
      params: { sampleSize: n, explainedVariance: Number((kept / total).toFixed(6)) },
      version: PROJECTION_VERSION,
    });
  }
}

// A free function (not a method) and plain locals: V8 optimises this hot loop best so.
function addEight(cross: Float64Array, d: number, a: Float32Array, b: Float32Array, c: Float32Array, e: Float32Array, f: Float32Array, g: Float32Array, h: Float32Array, m: Float32Array): void {
  for (let i = 0; i < d; i++) {
    const ai = a[i]!, bi = b[i]!, ci = c[i]!, ei = e[i]!, fi = f[i]!, gi = g[i]!, hi = h[i]!, mi = m[i]!;
    const row = i * d;
    for (let j = i; j < d; j++) {
      cross[row + j]! += ai * a[j]! + bi * b[j]! + ci * c[j]! + ei * e[j]! + fi * f[j]! + gi * g[j]! + hi * h[j]! + mi * m[j]!;
    }
  }
}

export async function fitPcaProjection(samples: readonly Float32Array[], dimensions: number, eigen?: EigenFunction): Promise<Projection> {
  if (samples.length < 2) throw tooFewSamples(samples.length);
  const accumulator = new PcaAccumulator(samples[0]!.length);
  await accumulator.add(samples);
  return accumulator.fit(dimensions, eigen);
}

/** The first ingest fits PCA on what it loads, so a one-row file is a user's mistake to name, not a crash. */
function tooFewSamples(n: number): AppError {
  return new AppError(
    ErrorCode.BAD_USER_INPUT,
    `PCA needs at least two headlines to fit on, and this first ingest has ${n}. Ingest a larger file first, or pass --projection gaussian (or none).`,
  );
}
