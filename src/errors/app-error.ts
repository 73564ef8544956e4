/**
 * The project's one family of typed errors. Codes are stable: clients and scripts
 * match on them, and the GraphQL layer maps them to `extensions.code` in one place.
 */
export const ErrorCode = Object.freeze({
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A statement ran past STATEMENT_TIMEOUT_MS: the same request would time out again, so not an invitation to retry. */
  OPERATION_TIMED_OUT: 'OPERATION_TIMED_OUT',
  /** The query model could not be loaded: the operator's to fix (the reason is in the log and /readyz), not the client's. */
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  OPERATION_TOO_EXPENSIVE: 'OPERATION_TOO_EXPENSIVE',
  RATE_LIMITED: 'RATE_LIMITED',
  CONFIG_INVALID: 'CONFIG_INVALID',
  DATABASE_IN_USE: 'DATABASE_IN_USE',
  EXTENSION_UNAVAILABLE: 'EXTENSION_UNAVAILABLE',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  SOURCE_UNREADABLE: 'SOURCE_UNREADABLE',
  PROJECTION_MISMATCH: 'PROJECTION_MISMATCH',
  INTERNAL: 'INTERNAL',
} as const);

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
