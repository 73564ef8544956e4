import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

const store = new AsyncLocalStorage<string>();

/**
 * The request id (set by the request logger) for whatever runs on behalf of a GraphQL
 * request, so errors logged deep in execution (formatError) carry it. Entered once the body
 * is read: the body parser's stream events would not carry the context through.
 */
export const requestIdContext = {
  middleware: ((_req, res, next) => store.run(String(res.locals.requestId ?? ''), next)) as RequestHandler,
  current: (): string | undefined => store.getStore() || undefined,
};
