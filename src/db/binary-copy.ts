/**
 * PostgreSQL binary COPY for headline rows, so the server never parses 512 floats of text
 * per row: dates as days since 2000-01-01, text as UTF-8, halfvec in pgvector's binary
 * form (int16 dim, int16 unused, dim × IEEE half, big-endian).
 */
export interface CopyRow {
  readonly publishedOn: string; // YYYY-MM-DD
  readonly text: string;
  readonly embedding: Float32Array;
  readonly reduced: Float32Array;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const PG_EPOCH_DAYS = Date.UTC(2000, 0, 1) / 86_400_000;

export function encodeCopyRows(rows: readonly CopyRow[]): Buffer {
  const texts = rows.map((r) => Buffer.from(r.text, 'utf8'));
  let size = SIGNATURE.length + 8 + 2;
  rows.forEach((r, i) => (size += 2 + 8 + 4 + texts[i]!.length + 8 + 2 * r.embedding.length + 8 + 2 * r.reduced.length));
  const out = Buffer.allocUnsafe(size);
  let o = SIGNATURE.copy(out, 0);
  o = out.writeInt32BE(0, o); // flags
  o = out.writeInt32BE(0, o); // header extension length
  rows.forEach((row, i) => {
    o = out.writeInt16BE(4, o);
    o = out.writeInt32BE(4, o);
    o = out.writeInt32BE(pgDays(row.publishedOn), o);
    const text = texts[i]!;
    o = out.writeInt32BE(text.length, o);
    o += text.copy(out, o);
    o = writeHalfvec(out, o, row.embedding);
    o = writeHalfvec(out, o, row.reduced);
  });
  o = out.writeInt16BE(-1, o);
  return out;
}

function pgDays(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!) / 86_400_000 - PG_EPOCH_DAYS;
}

function writeHalfvec(out: Buffer, offset: number, v: Float32Array): number {
  let o = out.writeInt32BE(4 + 2 * v.length, offset);
  o = out.writeInt16BE(v.length, o);
  o = out.writeInt16BE(0, o);
  // Straight from the float bits: much faster than converting value by value.
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  for (let i = 0; i < bits.length; i++) {
    const h = halfFromBits(bits[i]!);
    if (h < 0) throw new RangeError(`value ${v[i]} does not fit in half precision`);
    out[o] = h >>> 8;
    out[o + 1] = h & 0xff;
    o += 2;
  }
  return o;
}

/** Half-precision bits for a float32 given as its bits; -1 when out of range (inf, NaN, > 65504). */
function halfFromBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  const e = exp - 127 + 15;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  if (e >= 31) return -1;
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return half >= 0x7c00 ? -1 : sign | half;
}
