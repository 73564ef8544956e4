import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors/app-error.ts';
import type { Rejections } from './rejections.ts';

/** Operations executing at once; past that they wait up to queueTimeoutMs in a queue of at most maxQueued. */
export interface ConcurrencySettings {
  readonly maxInFlight: number;
  readonly queueTimeoutMs: number;
  readonly maxQueued: number;
}

type Release = () => void;

interface Waiter {
  grant(release: Release): void;
  timer: NodeJS.Timeout | undefined;
}

const RETRY_AFTER_SECONDS = 1;

/**
 * Bounds the GraphQL operations executing at once. Past the bound, requests wait in a FIFO
 * queue for at most `queueTimeoutMs` (and the queue holds at most `maxQueued`); then they
 * are answered 503 SERVICE_UNAVAILABLE with Retry-After instead of piling onto the
 * embedder and the database pool, where latency would grow without bound. It wraps the
 * execution itself, after the body is read and the operation limits are checked, so slow
 * uploads and refused documents never hold a slot, and a slot is held for as long as the
 * operation executes, whether or not its client is still there.
 */
export class ConcurrencyGuard {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly settings: ConcurrencySettings) {}

  get inFlight(): number {
    return this.running;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A release function once a slot is free, or null when the queue is full or the wait timed out. */
  acquire(cancelled?: (cancel: () => void) => void): Promise<Release | null> {
    if (this.running < this.settings.maxInFlight) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.settings.maxQueued || this.settings.queueTimeoutMs === 0) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        grant: (release) => resolve(release),
        timer: setTimeout(() => {
          this.remove(waiter);
          resolve(null);
        }, this.settings.queueTimeoutMs),
      };
      this.queue.push(waiter);
      cancelled?.(() => {
        if (this.remove(waiter)) resolve(null);
      });
    });
  }

  /**
   * `handler` (Apollo's) run inside a slot. The slot is held until the handler's promise
   * settles, i.e. until execution has ended, not until the response closes: a client that
   * hangs up would otherwise free its slot while its statements still run, and could keep
   * any number of them running. A request still waiting for a slot leaves the queue when
   * its client hangs up.
   */
  guard(rejections: Rejections, handler: RequestHandler): RequestHandler {
    return async (req, res, next) => {
      let gone = false;
      const release = await this.acquire((cancel) =>
        res.once('close', () => {
          gone = true;
          cancel();
        }),
      );
      if (release === null) {
        if (gone) return;
        rejections.reject(res, {
          reason: 'overloaded',
          status: 503,
          code: ErrorCode.SERVICE_UNAVAILABLE,
          message: `The server is busy; retry in ${RETRY_AFTER_SECONDS} s.`,
          headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
        });
        return;
      }
      try {
        if (gone || res.writableEnded || res.destroyed) return;
        await handler(req, res, next);
      } finally {
        release();
      }
    };
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.releaser());
      } else {
        this.running--;
      }
    };
  }

  private remove(waiter: Waiter): boolean {
    const at = this.queue.indexOf(waiter);
    if (at < 0) return false;
    this.queue.splice(at, 1);
    clearTimeout(waiter.timer);
    return true;
  }
}
