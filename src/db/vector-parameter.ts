import { sql, type RawBuilder } from 'kysely';

/**
 * A vector as a binary parameter of type `vector`: pgvector's wire form (int16 dimensions,
 * int16 zero, then big-endian float4s), which pg sends as is for a Buffer. Cast it on
 * (`::halfvec(512)`) as a text literal would be. The float4s are the values themselves,
 * so the server reads the same vector as from toVectorLiteral's text, without printing
 * and parsing 17-digit decimals: a query vector crosses the wire on every search.
 */
export function vectorParameter(values: ArrayLike<number>): RawBuilder<unknown> {
  const buffer = Buffer.allocUnsafe(4 + 4 * values.length);
  buffer.writeInt16BE(values.length, 0);
  buffer.writeInt16BE(0, 2);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`vector component ${i} is not finite: ${v}`);
    buffer.writeFloatBE(v, 4 + 4 * i);
  }
  return sql`${buffer}::vector`;
}
