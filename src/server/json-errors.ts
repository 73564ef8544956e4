import type { ErrorRequestHandler } from 'express';
import { describeError } from '../errors/describe-error.ts';
import type { Logger } from '../logger.ts';

/**
 * Request-level failures (body too large, malformed JSON, anything thrown outside GraphQL
 * execution) as GraphQL-shaped JSON, with no stack, SQL or host in it. A 5xx is a fault of
 * ours: it is logged in full with the request id, which the client has in X-Request-Id.
 */
export function jsonErrors(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (error: { status?: number; type?: string }, _req, res, _next) => {
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) logger.error(`unexpected error answering a request: ${describeError(error)}`, { reqId: res.locals.requestId as string | undefined });
    const message = error.type === 'entity.too.large' ? `Request body exceeds ${bodyLimit}.` : status < 500 ? 'Malformed request.' : 'Internal server error';
    if (res.headersSent) return void res.end();
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' } }] });
  };
}
