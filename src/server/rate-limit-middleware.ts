import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors/app-error.ts';
import { clientKey } from './client-key.ts';
import type { Rejections } from './rejections.ts';
import { TokenBuckets } from './token-buckets.ts';

/** Token bucket per client: `burst` requests at once, refilled at `perMinute`; perMinute 0 disables. */
export interface RateLimitSettings {
  readonly perMinute: number;
  readonly burst: number;
}

/**
 * Per-client token bucket in front of /graphql, keyed by `req.ip` (so TRUST_PROXY decides
 * whose address that is). Every response carries the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers, the separate-field form); a refusal is 429 with
 * Retry-After, sent before the body is read.
 */
export function rateLimitMiddleware(settings: RateLimitSettings, rejections: Rejections): RequestHandler {
  const buckets = new TokenBuckets(settings.burst, settings.perMinute);
  // The window in which a full bucket refills: "burst requests per window".
  const policy = `${settings.burst};w=${Math.max(1, Math.round((settings.burst / settings.perMinute) * 60))}`;
  return (req, res, next) => {
    const taken = buckets.take(clientKey(req.ip));
    res.set({ 'RateLimit-Policy': policy, 'RateLimit-Limit': String(settings.burst), 'RateLimit-Remaining': String(taken.remaining), 'RateLimit-Reset': String(taken.resetSeconds) });
    if (taken.allowed) return next();
    rejections.reject(res, {
      reason: 'rate_limited',
      status: 429,
      code: ErrorCode.RATE_LIMITED,
      message: `Too many requests from this client; retry in ${taken.retryAfterSeconds} s (${settings.burst} at once, ${settings.perMinute} per minute).`,
      headers: { 'Retry-After': String(taken.retryAfterSeconds) },
    });
  };
}
