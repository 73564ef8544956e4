import onnxProto, { type onnx as Onnx } from 'onnx-proto';

// The ONNX protobuf classes generated from onnx.proto (CommonJS, so the default import).
const { onnx } = onnxProto;

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type OnnxType = (typeof OnnxType)[keyof typeof OnnxType];

export type AttributeValue = number | readonly number[] | string | { readonly float: number };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  /** Unset for standard ONNX ops; `com.microsoft` for ONNX Runtime's contrib ops. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: OnnxType;
  readonly data: Float32Array | Int8Array | Int32Array | BigInt64Array;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly type: OnnxType;
  /** A number is a fixed size, a string a named dynamic dimension. */
  readonly shape: ReadonlyArray<number | string>;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** IR version 8 is the one that goes with opset 17 (LayerNormalization's first opset). */
const IR_VERSION = 8;
const OPSET = 17;
/** ONNX Runtime's contrib operators (fused attention, skip layer norm, quantised MatMul). */
export const CONTRIB_DOMAIN = 'com.microsoft';

const { AttributeType } = onnx.AttributeProto;

function attribute(name: string, value: AttributeValue): Onnx.IAttributeProto {
  if (typeof value === 'string') return { name, s: new TextEncoder().encode(value), type: AttributeType.STRING };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: wrap float values as { float }`);
    return { name, i: value, type: AttributeType.INT };
  }
  if ('float' in value) return { name, f: value.float, type: AttributeType.FLOAT };
  return { name, ints: [...(value as readonly number[])], type: AttributeType.INTS };
}

function valueInfo(info: OnnxValueInfo): Onnx.IValueInfoProto {
  const dim = info.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: info.name, type: { tensorType: { elemType: info.type, shape: { dim } } } };
}

/** Serialises a graph as an ONNX ModelProto, ready for InferenceSession.create(bytes). */
export function encodeOnnxModel(graph: OnnxGraph, producer = 'headline-search'): Uint8Array {
  const contrib = graph.nodes.some((n) => n.domain === CONTRIB_DOMAIN);
  return onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    producerName: producer,
    graph: {
      node: graph.nodes.map((node) => ({
        input: [...node.inputs],
        output: [...node.outputs],
        name: node.name,
        opType: node.op,
        ...(node.domain ? { domain: node.domain } : {}),
        attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value)),
      })),
      name: graph.name,
      initializer: graph.initializers.map((init) => ({
        dims: [...init.dims],
        dataType: init.type,
        name: init.name,
        // raw_data is little-endian, which is what typed arrays hold on every platform Node runs on.
        rawData: new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength),
      })),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
    opsetImport: [{ domain: '', version: OPSET }, ...(contrib ? [{ domain: CONTRIB_DOMAIN, version: 1 }] : [])],
  }).finish();
}
