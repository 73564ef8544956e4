import pgvector from 'pgvector';

/**
 * pgvector values cross the wire as text literals ('[1,2,3]'). Converting explicitly
 * (rather than registering pg type parsers) works before the extension exists and on
 * every pool connection without a per-connection type lookup.
 */
export function toVectorLiteral(values: ArrayLike<number>): string {
  const array = Array.from(values);
  const bad = array.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`vector component ${bad} is not finite: ${array[bad]}`);
  return pgvector.toSql(array) as string;
}

export function fromVectorLiteral(literal: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(literal) as number[]);
}
