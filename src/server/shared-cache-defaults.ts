import type { RequestHandler } from 'express';

/**
 * What a shared cache (a CDN) must know of every /graphql response before Apollo decides:
 * `no-store` unless Apollo's cache control answers with a max-age (its header replaces this
 * one), so refusals made before Apollo (rate limit, operation limits, overload, bad bodies,
 * CSRF) are never kept; and `Vary: Accept`, as Apollo picks the response's content type
 * (application/json or application/graphql-response+json) from it.
 */
export const sharedCacheDefaults: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  res.vary('Accept');
  next();
};
