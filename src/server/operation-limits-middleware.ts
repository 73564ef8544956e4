import type { Request, RequestHandler } from 'express';
import { ErrorCode, isAppError } from '../errors/app-error.ts';
import { cachedDocumentReader } from '../graphql/cached-document-reader.ts';
import { checkOperationLimits, type OperationLimits } from '../graphql/check-operation-limits.ts';
import type { PersistedQueryStore } from './persisted-query-store.ts';
import type { Rejections } from './rejections.ts';

const DOCUMENT_CACHE_BYTES = 4 * 2 ** 20;

interface RequestFields {
  readonly query: string | undefined;
  readonly operationName: string | null;
  readonly variables: Readonly<Record<string, unknown>> | null;
  /** The APQ hash of a request that sends one (version 1). */
  readonly persistedHash: string | undefined;
}

/**
 * Runs the operation limits on the request as it arrives (POST body or GET parameters),
 * before Apollo, so a refused document is never validated, queued or executed. A hash-only
 * persisted query is measured as the document registered under its hash, with this
 * request's variables, and that document is pinned for Apollo (PersistedQueryStore); an
 * unknown hash goes on to Apollo's PERSISTED_QUERY_NOT_FOUND. Also refuses batched arrays
 * outright (Apollo has batching off too; this counts them). The operation's label goes to
 * `res.locals.operation` for the request log.
 */
export function operationLimitsMiddleware(limits: OperationLimits, rejections: Rejections, persisted: PersistedQueryStore): RequestHandler {
  const read = cachedDocumentReader(DOCUMENT_CACHE_BYTES);
  return (req, res, next) => {
    if (Array.isArray(req.body)) {
      rejections.reject(res, { reason: 'batched', status: 400, code: 'BAD_REQUEST', message: 'Batched operations are not accepted; send one operation per request.' });
      return;
    }
    const request = requestFieldsOf(req);
    if (!request) return next();
    const pinned = request.query === undefined && request.persistedHash !== undefined;
    const query = pinned ? persisted.lookup(request.persistedHash!) : request.query;
    if (query === undefined) return next();
    try {
      res.locals.operation = checkOperationLimits({ query, operationName: request.operationName, variables: request.variables }, limits, read)?.label;
    } catch (error) {
      if (!isAppError(error, ErrorCode.OPERATION_TOO_EXPENSIVE)) return next(error);
      rejections.reject(res, { reason: 'too_expensive', status: 400, code: error.code, message: error.message });
      return;
    }
    if (pinned) persisted.pin(request.persistedHash!, query, next);
    else next();
  };
}

function requestFieldsOf(req: Request): RequestFields | null {
  const source = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
  if (!source || typeof source !== 'object') return null;
  const variables = objectOf(source.variables);
  const persistedQuery = objectOf(objectOf(source.extensions)?.persistedQuery);
  return {
    query: typeof source.query === 'string' ? source.query : undefined,
    operationName: typeof source.operationName === 'string' ? source.operationName : null,
    variables,
    persistedHash: persistedQuery?.version === 1 && typeof persistedQuery.sha256Hash === 'string' ? persistedQuery.sha256Hash : undefined,
  };
}

/** A JSON object as sent: in a POST body, or JSON-encoded in a GET parameter; null otherwise (Apollo reports what is wrong). */
function objectOf(value: unknown): Record<string, unknown> | null {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
