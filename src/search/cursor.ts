import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { DateRange } from '../shared/search-types.ts';

/** Where a page ended: its last result's rank, similarity and id. */
export interface CursorPosition {
  readonly rank: number;
  readonly similarity: number;
  readonly id: string;
}

/**
 * Identifies what a cursor may continue: the kind of search, its subject (normalised query
 * text or headline id) and the date range. A cursor is only valid for the same three.
 */
export function searchFingerprint(kind: 'search' | 'similar', subject: string, range: DateRange): string {
  return createHash('sha256').update(JSON.stringify([kind, subject, range.from, range.to])).digest('base64url').slice(0, 16);
}

/** Opaque to clients: base64url JSON; the fingerprint ties it to its query and filter. */
export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ r: position.rank, s: position.similarity, i: position.id, f: fingerprint })).toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  const c = parsed as { r?: unknown; s?: unknown; i?: unknown; f?: unknown };
  if (
    typeof c !== 'object' || c === null ||
    typeof c.r !== 'number' || !Number.isInteger(c.r) || c.r < 1 ||
    typeof c.s !== 'number' || !Number.isFinite(c.s) ||
    typeof c.i !== 'string' || !/^\d{1,19}$/.test(c.i) ||
    typeof c.f !== 'string'
  ) {
    throw malformed();
  }
  if (c.f !== fingerprint) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, '`after` is a cursor from a different query or filter; start again without `after`.');
  }
  return { rank: c.r, similarity: c.s, id: c.i };
}

function malformed(): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, '`after` is not a valid cursor; pass an endCursor or cursor returned by this API.');
}
