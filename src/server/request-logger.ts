import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger, LogFields } from '../logger.ts';

export interface RequestLogOptions {
  /** Log each request at info (production's JSON logs); otherwise at debug, so development output stays as it was. */
  readonly atInfo: boolean;
  /** Add the GraphQL document and variables (truncated); off by default, as they carry what users searched for. */
  readonly includeQueryText: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const MAX_LOGGED_TEXT = 2000;

/**
 * One log line per request when it ends: request id (the caller's X-Request-Id when it is
 * sane, else a new UUID; echoed in the response), operation, status, duration, client
 * address, and why it was refused if it was. Never the query text unless asked. The id is
 * also left in `res.locals.requestId` for the error logs of the same request.
 */
export function requestLogger(logger: Logger, options: RequestLogOptions): RequestHandler {
  const log = options.atInfo ? logger.info : logger.debug;
  return (req, res, next) => {
    const started = performance.now();
    const incoming = req.get('x-request-id');
    const id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', id);
    res.locals.requestId = id;
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : null;
      const fields: LogFields = {
        reqId: id,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        operation: (res.locals.operation as string | undefined) ?? operationNameOf(req),
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ip: req.ip,
        rejected: res.locals.rejection as string | undefined,
        ...(options.includeQueryText ? queryText(req) : {}),
      };
      // Every 5xx is logged whatever the level of request logs: a 503 is load or an outage (warn), any other a fault (error).
      const at = status === null || status < 500 ? log : status === 503 ? logger.warn : logger.error;
      at(`${req.method} ${fields.path} ${status ?? 'aborted'}`, fields);
    });
    next();
  };
}

function operationNameOf(req: Request): string | undefined {
  const name = (req.body as { operationName?: unknown } | undefined)?.operationName;
  return typeof name === 'string' ? name.slice(0, 100) : undefined;
}

function queryText(req: Request): LogFields {
  const source = (req.method === 'GET' ? req.query : req.body) as { query?: unknown; variables?: unknown } | undefined;
  const clip = (text: string) => (text.length > MAX_LOGGED_TEXT ? `${text.slice(0, MAX_LOGGED_TEXT)}…` : text);
  return {
    query: typeof source?.query === 'string' ? clip(source.query) : undefined,
    variables: source?.variables === undefined ? undefined : clip(typeof source.variables === 'string' ? source.variables : JSON.stringify(source.variables)),
  };
}
