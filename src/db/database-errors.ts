import { redactUrl } from '../config/parse-config.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** SQLSTATE query_canceled: statement_timeout, or a cancel request. */
const STATEMENT_CANCELLED = '57014';

/**
 * True when the database is unreachable or went away (as opposed to a bad query or a slow
 * one): socket errors, pg's connection-exception class 08, shutdowns (57P0x).
 */
function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08') || /^57P0[1-3]$/.test(e.code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(e.message ?? '');
}

/**
 * True when a read that failed on a replica should be run again on the primary: the
 * replica is unreachable or went away, or cancelled the read for a conflict with WAL
 * replay (40001). A statement timeout (57014) is not retried: the primary would be asked
 * to do the same slow work with less time left.
 */
export function isReplicaFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40001' || isDatabaseUnavailable(error);
}

/**
 * Rethrows database outages as SERVICE_UNAVAILABLE and statement timeouts as
 * OPERATION_TIMED_OUT (asking again unchanged would time out again); anything else unchanged.
 */
export function asServiceError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if ((error as { code?: string } | null)?.code === STATEMENT_CANCELLED) {
    return new AppError(ErrorCode.OPERATION_TIMED_OUT, 'The operation ran past the time this server allows and was stopped. Ask for less (a smaller `first` or `top`, a date `filter`) rather than sending it again unchanged.', { cause: error });
  }
  if (isDatabaseUnavailable(error)) return new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly.', { cause: error });
  return error;
}

/**
 * Why the database cannot be reached, in words that name no host, port, user or database
 * (for /readyz, which anyone may call); the full error belongs in the log.
 */
export function unreachableReason(error: unknown): string {
  const e = error as { code?: string; message?: string } | null;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection lost';
    case '28P01':
    case '28000':
      return 'authentication failed';
    case '3D000':
      return 'database does not exist';
    case STATEMENT_CANCELLED:
      return 'timed out';
  }
  if (e?.code && /^57P0[1-3]$/.test(e.code)) return 'shutting down';
  if (/timeout/i.test(e?.message ?? '')) return 'timed out';
  if (e?.code && /^[0-9A-Z]{5}$/.test(e.code)) return `error ${e.code}`;
  return 'connection failed';
}

/**
 * The one line a person needs when a database connection cannot be made: what failed,
 * where (password redacted), and what to do. Null when `error` is not a connection failure.
 */
export function describeConnectionFailure(error: unknown, url: string, timeoutMs: number): AppError | null {
  const e = error as { code?: string; message?: string } | null;
  const where = redactUrl(url);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // described by the generic branch below
  }
  const host = parsed?.hostname ?? '?';
  const user = decodeURIComponent(parsed?.username || 'postgres');
  const name = decodeURIComponent(parsed?.pathname.slice(1) || user);
  const say = (what: string) => new AppError(ErrorCode.SERVICE_UNAVAILABLE, `Cannot connect to the database at ${where}: ${what}`, { cause: error });
  switch (e?.code) {
    case 'ECONNREFUSED':
      return say('connection refused. Is PostgreSQL running and listening there? Check the host and port in DATABASE_URL.');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say(`unknown host "${host}". Check the host name in DATABASE_URL.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return say(`host "${host}" is unreachable. Check the network and the host in DATABASE_URL.`);
    case '28P01':
    case '28000':
      return say(`authentication failed for user "${user}" (${e.message}). Check the user and password in DATABASE_URL.`);
    case '3D000':
      return say(`database "${name}" does not exist. Create it (createdb ${name}) or name another in DATABASE_URL.`);
  }
  if (/timeout/i.test(e?.message ?? '') && !e?.code) {
    return say(`no answer within ${timeoutMs} ms. Check the host and port in DATABASE_URL, or raise DATABASE_CONNECT_TIMEOUT_MS.`);
  }
  if (isDatabaseUnavailable(error)) return say(`${e?.message ?? String(error)}. Check DATABASE_URL.`);
  return null;
}
