import pgvector from 'pgvector';

/**
 * pgvector values cross the wire as text literals ('[1,2,3]'). Converting explicitly
 * (rather than registering pg type parsers) works before the extension exists and on
 * every pool connection without a per-connection type lookup.
 */
export function toVectorLiteral(values: ArrayLike<number>): string {
  // The text pgvector.toSql makes (JSON of the numbers), in one pass: every search sends one.
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`vector component ${i} is not finite: ${v}`);
    parts[i] = String(v);
  }
  return `[${parts.join(',')}]`;
}

export function fromVectorLiteral(literal: string): Float32Array {
  return Float32Array.from(pgvector.fromSql(literal) as number[]);
}
