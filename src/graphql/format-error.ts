import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode } from '../errors/app-error.ts';

/** AppError codes as clients see them in `extensions.code`. */
const CLIENT_CODES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.BAD_USER_INPUT]: 'BAD_USER_INPUT',
  [ErrorCode.NOT_FOUND]: 'NOT_FOUND',
  [ErrorCode.SERVICE_UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [ErrorCode.OPERATION_TIMED_OUT]: 'OPERATION_TIMED_OUT',
  [ErrorCode.MODEL_UNAVAILABLE]: 'SERVICE_UNAVAILABLE',
  [ErrorCode.OPERATION_TOO_EXPENSIVE]: 'OPERATION_TOO_EXPENSIVE',
  [ErrorCode.RATE_LIMITED]: 'RATE_LIMITED',
  // The server is configured with another model than the database's: nothing a client can
  // change, and nothing it should be answered by noise; the operator is told in the log.
  [ErrorCode.PROJECTION_MISMATCH]: 'SERVICE_UNAVAILABLE',
};

/** Codes a client sees, but that mean the server is misconfigured: logged for its operator too. */
const OPERATOR_ERRORS: ReadonlySet<ErrorCode> = new Set([ErrorCode.PROJECTION_MISMATCH, ErrorCode.MODEL_UNAVAILABLE]);

/** GraphQL's own request errors keep Apollo's codes; they describe the request, not us. */
const PASS_THROUGH = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE']);

function hasBadInputCause(error: unknown): boolean {
  for (let e = error as { originalError?: unknown; extensions?: { code?: unknown } } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.extensions?.code === 'BAD_USER_INPUT') return true;
    e = e.originalError as typeof e;
  }
  return false;
}

/**
 * The one place errors become client-visible: stable codes, plain messages, never a
 * stack trace or SQL. Anything unexpected is logged in full and shown as INTERNAL_SERVER_ERROR.
 */
export function createFormatError(logUnexpected: (error: unknown) => void, options: FormatErrorOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Database outages arrive already mapped to SERVICE_UNAVAILABLE by the search service.
    const original = unwrapResolverError(error);
    const base = { message: options.hideSchemaDetails ? hideSchemaDetails(formatted) : formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof AppError) {
      const code = CLIENT_CODES[original.code];
      if (OPERATOR_ERRORS.has(original.code)) logUnexpected(original);
      if (code) return { ...base, message: original.message, extensions: { code } };
    }
    // A bad literal (e.g. an impossible Date) fails validation, but it is the user's input.
    const code = hasBadInputCause(error) ? 'BAD_USER_INPUT' : formatted.extensions?.code;
    if (typeof code === 'string' && PASS_THROUGH.has(code)) return { ...base, extensions: { code } };
    logUnexpected(original);
    return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

export interface FormatErrorOptions {
  /** Production: no "Did you mean" hints about the schema in any message (Apollo strips them from validation errors only). */
  readonly hideSchemaDetails?: boolean;
}

function hideSchemaDetails(formatted: GraphQLFormattedError): string {
  if (formatted.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED') return 'Introspection is disabled on this server.';
  return formatted.message.replace(/ ?Did you mean [^?]*\?/g, '');
}
