import { createHash } from 'node:crypto';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { DateRange } from '../shared/search-types.ts';

/** Where a page ended: its last result's rank, score, similarity and id. */
export interface CursorPosition {
  readonly rank: number;
  readonly score: number;
  readonly similarity: number;
  readonly id: string;
}

/**
 * Identifies what a cursor may continue: the kind of search (with its mode), its subject
 * (normalised query text or headline id) and the date range. A cursor is only valid for
 * the same three.
 */
export function searchFingerprint(kind: string, subject: string, range: DateRange): string {
  return createHash('sha256').update(JSON.stringify([kind, subject, range.from, range.to])).digest('base64url').slice(0, 16);
}

/** Opaque to clients: base64url JSON; the fingerprint ties it to its query, mode and filter. */
export function encodeCursor(position: CursorPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ r: position.rank, c: position.score, s: position.similarity, i: position.id, f: fingerprint })).toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): CursorPosition {
  const c = parseCursor(cursor);
  if (!c) throw malformed();
  if (c.f !== fingerprint) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, '`after` is a cursor from a different query, mode or filter; start again without `after`.');
  }
  return { rank: c.r, score: c.c ?? c.s, similarity: c.s, id: c.i };
}

/**
 * The rank a cursor continues after, whatever search it came from; null when it is not a
 * cursor. For costing an operation before it runs (the service checks the rest).
 */
export function cursorRank(cursor: string): number | null {
  return parseCursor(cursor)?.r ?? null;
}

function parseCursor(cursor: string): { r: number; c?: number; s: number; i: string; f: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const c = parsed as { r?: unknown; c?: unknown; s?: unknown; i?: unknown; f?: unknown };
  if (
    typeof c !== 'object' || c === null ||
    typeof c.r !== 'number' || !Number.isInteger(c.r) || c.r < 1 ||
    typeof c.s !== 'number' || !Number.isFinite(c.s) ||
    // Cursors made before scores existed have none; theirs was the similarity.
    (c.c !== undefined && (typeof c.c !== 'number' || !Number.isFinite(c.c))) ||
    typeof c.i !== 'string' || !/^\d{1,19}$/.test(c.i) ||
    typeof c.f !== 'string'
  ) {
    return null;
  }
  return c as { r: number; c?: number; s: number; i: string; f: string };
}

function malformed(): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, '`after` is not a valid cursor; pass an endCursor or cursor returned by this API.');
}
