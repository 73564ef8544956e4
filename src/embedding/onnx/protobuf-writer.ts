/**
 * The few protobuf wire-format encodings an ONNX model needs (varints, length-delimited
 * fields, floats). Hand-written because the ONNX subset is tiny and the generated
 * protobuf packages would add a code generator and a runtime for ~60 lines of encoding.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  private rawVarint(value: bigint): void {
    // Negative int64 values are sent as their 64-bit two's complement (always 10 bytes).
    let v = value < 0n ? BigInt.asUintN(64, value) : value;
    const out: number[] = [];
    do {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v > 0n ? byte | 0x80 : byte);
    } while (v > 0n);
    this.push(Uint8Array.from(out));
  }

  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const nested = new ProtobufWriter();
    build(nested);
    return this.bytes(field, nested.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
