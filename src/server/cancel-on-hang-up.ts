import type { RequestHandler } from 'express';
import { CancellableClient } from '../db/cancellable-client.ts';

/**
 * `handler` with its database statements cancelled when its client hangs up before the
 * answer is complete: the work nobody will read stops, and with it the hold on a
 * concurrency slot and a pooled connection (on a PostgreSQL server; PGlite's run to their end).
 */
export function cancelOnHangUp(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const hungUp = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) hungUp.abort();
    });
    return CancellableClient.cancelOnAbort(hungUp.signal, async () => handler(req, res, next));
  };
}
