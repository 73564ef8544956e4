import type { PGlite } from '@electric-sql/pglite';

interface Pending {
  readonly handlerId: number;
  readonly message: Uint8Array;
  readonly onData: (data: Uint8Array) => void;
  readonly resolve: (bytes: number) => void;
  readonly reject: (error: unknown) => void;
  /** In-process work that needs the session to itself (see `exclusive`). */
  readonly task?: () => Promise<unknown>;
}

const IN_PROCESS = -1;

const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const IDLE = 0x49; // 'I'

/**
 * Decides which wire connection may talk to PGlite's single backend session next.
 *
 * pglite-socket's own queue hands the session to another connection between any two
 * protocol messages, so one client's Parse/Bind/Execute can interleave with another's
 * (measured here: "bind message supplies 1 parameters, but prepared statement requires 3"
 * within a few hundred concurrent queries). This scheduler instead lets one connection
 * own the session from its first message until the backend reports ReadyForQuery with
 * status Idle: that covers an extended-protocol batch up to Sync, a whole transaction,
 * and a COPY sub-protocol. It implements the shape PGLiteSocketHandler expects of its
 * `queryQueue`.
 */
export class SessionScheduler {
  private readonly db: PGlite;
  private readonly queue: Pending[] = [];
  private owner: number | null = null;
  private running = false;

  constructor(db: PGlite) {
    this.db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  /**
   * Runs `task` (which may use the PGlite API directly, e.g. COPY from a blob) while no
   * wire connection holds the session, and holds it until the task settles.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: T;
      this.queue.push({
        handlerId: IN_PROCESS,
        message: new Uint8Array(0),
        onData: () => undefined,
        task: async () => {
          result = await task();
        },
        resolve: () => resolve(result),
        reject,
      });
      void this.pump();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const item = this.queue[i]!;
      if (item.handlerId === handlerId) {
        this.queue.splice(i, 1);
        item.reject(new Error('connection closed'));
      }
    }
  }

  /** A client that disconnects while owning the session must not leave it stuck or half-done. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    await this.releaseSession();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index = this.owner === null ? 0 : this.queue.findIndex((p) => p.handlerId === this.owner);
        if (index < 0 || this.queue.length === 0) return;
        const item = this.queue.splice(index, 1)[0]!;
        this.owner = item.handlerId;
        await this.run(item);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(item: Pending): Promise<void> {
    if (item.task) {
      try {
        await item.task();
        item.resolve(0);
      } catch (error) {
        item.reject(error);
      } finally {
        await this.releaseSession();
      }
      return;
    }
    // Terminate would end PGlite's one backend for everybody; a closing client only
    // needs its own socket closed, which the handler does.
    if (item.message[0] === TERMINATE && item.message.length === 5) {
      await this.releaseSession();
      item.resolve(0);
      return;
    }
    const tail = new Uint8Array(6);
    let tailLength = 0;
    let bytes = 0;
    try {
      await this.db.execProtocolRawStream(item.message, {
        onRawData: (chunk: Uint8Array) => {
          bytes += chunk.length;
          tailLength = keepTail(tail, tailLength, chunk);
          item.onData(chunk);
        },
      });
    } catch (error) {
      await this.releaseSession();
      item.reject(error);
      return;
    }
    if (tailLength === 6 && tail[0] === READY_FOR_QUERY && readInt32(tail, 1) === 5 && tail[5] === IDLE) {
      this.owner = null;
    }
    item.resolve(bytes);
  }

  private async releaseSession(): Promise<void> {
    this.owner = null;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
  }
}

function keepTail(tail: Uint8Array, length: number, chunk: Uint8Array): number {
  if (chunk.length >= tail.length) {
    tail.set(chunk.subarray(chunk.length - tail.length));
    return tail.length;
  }
  const keep = Math.min(length, tail.length - chunk.length);
  tail.copyWithin(0, length - keep, length);
  tail.set(chunk, keep);
  return keep + chunk.length;
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
