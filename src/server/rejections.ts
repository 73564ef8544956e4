import type { Response } from 'express';
import client from 'prom-client';
import type { ErrorCode } from '../errors/app-error.ts';

export const REJECTION_REASONS = ['rate_limited', 'too_expensive', 'overloaded', 'batched', 'body_too_large', 'malformed_json', 'request_timeout', 'bad_http'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejections {
  /** Answers with a GraphQL-shaped error, counts it by reason and marks it for the request log. */
  reject(res: Response, rejection: { reason: RejectionReason; status: number; code: ErrorCode | 'BAD_REQUEST'; message: string; headers?: Readonly<Record<string, string>> }): void;
  /** For refusals answered elsewhere (Node's request timeout, the body parser). */
  count(reason: RejectionReason, res?: Response): void;
}

/** The Prometheus counter `headline_search_rejected_requests_total{reason}` and the one way to refuse a request. */
export function createRejections(registry: client.Registry): Rejections {
  const counter = new client.Counter({ name: 'headline_search_rejected_requests_total', help: 'Requests refused before any work, by reason', labelNames: ['reason'], registers: [registry] });
  // Every reason is exported from the start, so alerts see a zero before the first refusal.
  for (const reason of REJECTION_REASONS) counter.inc({ reason }, 0);
  const count = (reason: RejectionReason, res?: Response) => {
    counter.inc({ reason });
    if (res) res.locals.rejection = reason;
  };
  return {
    count,
    reject(res, { reason, status, code, message, headers }) {
      count(reason, res);
      if (headers) res.set(headers);
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
    },
  };
}
