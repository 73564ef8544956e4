import type { RequestHandler } from 'express';

/** What a browser app may read from a response besides the basics: the limits it ran into and the id to quote. */
const EXPOSED_HEADERS = 'Retry-After, RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS for browser front ends on other origins. Only listed origins (or any, with '*') get
 * CORS headers; others get none, so the browser keeps the response from them. No cookies
 * or credentials are involved, so requested headers are reflected and '*' is safe to use.
 * Preflights from allowed origins are answered here, before rate limiting and body parsing.
 * Apollo's CSRF prevention still applies behind this: a browser must send
 * `Content-Type: application/json` (or `Apollo-Require-Preflight`), which forces a preflight.
 */
export function corsMiddleware(origins: readonly string[] | '*'): RequestHandler {
  const anyOrigin = origins === '*';
  const allowed = new Set(anyOrigin ? [] : origins);
  return (req, res, next) => {
    if (!anyOrigin && allowed.size > 0) res.vary('Origin');
    const origin = req.headers.origin;
    if (origin === undefined || !(anyOrigin || allowed.has(origin))) return next();
    res.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    const requestedMethod = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || requestedMethod === undefined) {
      res.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      return next();
    }
    res.set('Access-Control-Allow-Methods', 'GET, POST');
    res.vary('Access-Control-Request-Headers');
    const requestedHeaders = req.headers['access-control-request-headers'];
    if (requestedHeaders) res.set('Access-Control-Allow-Headers', requestedHeaders);
    res.set('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
    res.status(204).end();
  };
}
