import { AppError, ErrorCode } from '../errors/app-error.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True when the database is unreachable or went away (as opposed to a bad query):
 * socket errors, pg's connection-exception class 08, shutdowns (57P0x), timeouts (57014).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08') || /^57P0[1-3]$/.test(e.code) || e.code === '57014')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(e.message ?? '');
}

/** Rethrows database outages as SERVICE_UNAVAILABLE; anything else unchanged. */
export function asServiceError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly.', { cause: error });
  return error;
}
