import type { ErrorRequestHandler } from 'express';
import type { Rejections } from './rejections.ts';

/** Counts bodies the JSON parser refused, then hands the error on to the JSON error responder. */
export function countBodyErrors(rejections: Rejections): ErrorRequestHandler {
  return (error: { type?: string }, _req, res, next) => {
    if (error.type === 'entity.too.large') rejections.count('body_too_large', res);
    else if (error.type === 'entity.parse.failed' || error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') rejections.count('malformed_json', res);
    next(error);
  };
}
