import { ProtobufWriter } from './protobuf-writer.ts';

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

// Field numbers from onnx.proto3.
const enum Attr { NAME = 1, F = 2, I = 3, S = 4, INTS = 8, TYPE = 20 }
const enum AttrType { FLOAT = 1, INT = 2, STRING = 3, INTS = 7 }

function writeAttribute(w: ProtobufWriter, name: string, value: AttributeValue): void {
  w.string(Attr.NAME, name);
  if (typeof value === 'string') {
    w.string(Attr.S, value).varint(Attr.TYPE, AttrType.STRING);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: wrap float values as { float }`);
    w.varint(Attr.I, value).varint(Attr.TYPE, AttrType.INT);
  } else if ('float' in value) {
    w.float(Attr.F, value.float).varint(Attr.TYPE, AttrType.FLOAT);
  } else {
    for (const v of value as readonly number[]) w.varint(Attr.INTS, v);
    w.varint(Attr.TYPE, AttrType.INTS);
  }
}

function writeValueInfo(w: ProtobufWriter, info: OnnxValueInfo): void {
  w.string(1, info.name).message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, info.type).message(2, (shape) => {
        for (const dim of info.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.varint(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

function writeInitializer(w: ProtobufWriter, init: OnnxInitializer): void {
  for (const d of init.dims) w.varint(1, d);
  w.varint(2, init.type).string(8, init.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node runs on.
  w.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
}

/** Serialises a graph as an ONNX ModelProto, ready for InferenceSession.create(bytes). */
export function encodeOnnxModel(graph: OnnxGraph, producer = 'headline-search'): Uint8Array {
  const model = new ProtobufWriter();
  model.varint(1, IR_VERSION).string(2, producer);
  model.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name).string(4, node.op);
        if (node.domain) n.string(7, node.domain);
        for (const [name, value] of Object.entries(node.attributes ?? {})) n.message(5, (a) => writeAttribute(a, name, value));
      });
    }
    g.string(2, graph.name);
    for (const init of graph.initializers) g.message(5, (t) => writeInitializer(t, init));
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  model.message(8, (o) => o.string(1, '').varint(2, OPSET));
  if (graph.nodes.some((n) => n.domain === CONTRIB_DOMAIN)) model.message(8, (o) => o.string(1, CONTRIB_DOMAIN).varint(2, 1));
  return model.finish();
}
