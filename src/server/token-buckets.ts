import { LRUCache } from 'lru-cache';

export interface TakeResult {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until a refused client may try again (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

/**
 * One token bucket per key: `capacity` requests at once, refilled continuously at
 * `perMinute`. A bucket is only a number and a time, refilled lazily when its key comes
 * back; the least recently seen keys are dropped past `maxKeys` (a dropped bucket comes
 * back full, which only errs on the side of the client).
 */
export class TokenBuckets {
  private readonly buckets: LRUCache<string, { tokens: number; at: number }>;
  private readonly perMs: number;

  constructor(
    readonly capacity: number,
    readonly perMinute: number,
    maxKeys = 100_000,
  ) {
    this.perMs = perMinute / 60_000;
    this.buckets = new LRUCache({ max: maxKeys });
  }

  take(key: string, now: number = performance.now()): TakeResult {
    const bucket = this.buckets.get(key);
    let tokens = bucket ? Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.perMs) : this.capacity;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    return {
      allowed,
      remaining: Math.floor(tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)),
      resetSeconds: Math.ceil((this.capacity - tokens) / this.perMs / 1000),
    };
  }
}
