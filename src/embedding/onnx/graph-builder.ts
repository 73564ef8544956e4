import { OnnxType, type AttributeValue, type OnnxGraph, type OnnxInitializer, type OnnxNode, type OnnxValueInfo } from './onnx-model.ts';

/** Accumulates nodes and initializers with generated unique names. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private counter = 0;

  constructor(private readonly scope: string) {}

  private fresh(hint: string): string {
    return `${this.scope}/${hint}_${this.counter++}`;
  }

  floats(hint: string, dims: readonly number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`${hint}: ${data.length} values for shape [${dims.join(',')}]`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, type: OnnxType.FLOAT, data });
    return name;
  }

  int8s(hint: string, dims: readonly number[], data: Int8Array): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, type: OnnxType.INT8, data });
    return name;
  }

  scalar(hint: string, value: number): string {
    return this.floats(hint, [], Float32Array.of(value));
  }

  int64s(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], type: OnnxType.INT64, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  op(op: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, domain?: string): string {
    return this.opN(op, inputs, 1, attributes, domain)[0]!;
  }

  /**
   * `outputs`: how many, or which ones are wanted (an unwanted optional output is left
   * unnamed, so the runtime need not compute it; its name here is '').
   */
  opN(op: string, inputs: readonly string[], outputs: number | readonly boolean[], attributes?: Record<string, AttributeValue>, domain?: string): string[] {
    const name = this.fresh(op);
    const wanted = typeof outputs === 'number' ? Array.from({ length: outputs }, () => true) : outputs;
    const names = wanted.map((used, i) => (used ? `${name}:${i}` : ''));
    this.nodes.push({ op, inputs, outputs: names, name, attributes, domain });
    return names;
  }

  /** Gives a computed value a stable name (graph outputs must be named by the caller). */
  rename(value: string, to: string): string {
    this.nodes.push({ op: 'Identity', inputs: [value], outputs: [to], name: this.fresh('Identity') });
    return to;
  }

  build(inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[]): OnnxGraph {
    return { name: this.scope, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }
}
