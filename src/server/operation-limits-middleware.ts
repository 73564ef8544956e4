import type { Request, RequestHandler } from 'express';
import { ErrorCode, isAppError } from '../errors/app-error.ts';
import { cachedDocumentReader } from '../graphql/cached-document-reader.ts';
import { checkOperationLimits, type GraphqlRequestText, type OperationLimits } from '../graphql/check-operation-limits.ts';
import type { Rejections } from './rejections.ts';

const DOCUMENT_CACHE_BYTES = 4 * 2 ** 20;

/**
 * Runs the operation limits on the request as it arrives (POST body or GET parameters),
 * before Apollo, so a refused document is never validated, queued or executed. Also refuses
 * batched arrays outright (Apollo has batching off too; this counts them). The operation's
 * label goes to `res.locals.operation` for the request log.
 */
export function operationLimitsMiddleware(limits: OperationLimits, rejections: Rejections): RequestHandler {
  const read = cachedDocumentReader(DOCUMENT_CACHE_BYTES);
  return (req, res, next) => {
    if (Array.isArray(req.body)) {
      rejections.reject(res, { reason: 'batched', status: 400, code: 'BAD_REQUEST', message: 'Batched operations are not accepted; send one operation per request.' });
      return;
    }
    const request = graphqlRequestOf(req);
    if (!request) return next();
    try {
      res.locals.operation = checkOperationLimits(request, limits, read)?.label;
    } catch (error) {
      if (!isAppError(error, ErrorCode.OPERATION_TOO_EXPENSIVE)) return next(error);
      rejections.reject(res, { reason: 'too_expensive', status: 400, code: error.code, message: error.message });
      return;
    }
    next();
  };
}

function graphqlRequestOf(req: Request): GraphqlRequestText | null {
  const source = (req.method === 'GET' ? req.query : req.body) as Record<string, unknown> | undefined;
  if (!source || typeof source.query !== 'string') return null;
  let variables = source.variables;
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables);
    } catch {
      variables = null;
    }
  }
  return {
    query: source.query,
    operationName: typeof source.operationName === 'string' ? source.operationName : null,
    variables: variables !== null && typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : null,
  };
}
