import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import pg from 'pg';

interface Scope {
  readonly signal: AbortSignal;
  readonly running: Set<CancellableClient>;
}

const scopes = new AsyncLocalStorage<Scope>();

/** SQLSTATE query_canceled, as the server reports a cancelled statement. */
const QUERY_CANCELED = '57014';

/** The protocol's CancelRequest code (PostgreSQL frontend/backend protocol, "CancelRequest"). */
const CANCEL_REQUEST_CODE = 80877102;

/** The first wait before a cancel is sent again to a statement still running, doubling up to the next. */
const RESEND_CANCEL_MS = 100;
const MAX_RESEND_CANCEL_MS = 2000;

/**
 * A pg client whose statements, when issued inside `CancellableClient.cancelOnAbort`, are
 * cancelled once that scope's signal aborts (the API: its client hung up). The server is
 * sent a CancelRequest for the statement's backend, as psql's Ctrl-C does; the statement
 * then fails with 57014 and its work stops at once, not when it ends. A connection that was
 * sent a cancel is closed afterwards rather than reused: a cancel that arrived late would
 * otherwise hit the next statement on it, someone else's.
 */
export class CancellableClient extends pg.Client {
  private cancelSent = false;
  private retiring = false;
  /** Statements issued in a scope and not yet settled. */
  private pending = 0;

  /** Runs `work`; statements it issues on CancellableClients are cancelled when `signal` aborts. */
  static async cancelOnAbort<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const scope: Scope = { signal, running: new Set() };
    const cancelAll = () => {
      for (const client of scope.running) client.cancel();
    };
    signal.addEventListener('abort', cancelAll, { once: true });
    try {
      return await scopes.run(scope, work);
    } finally {
      signal.removeEventListener('abort', cancelAll);
    }
  }

  /**
   * Runs `work` outside any cancellation scope: a new connection's setup, which must not
   * fail because the request that happened to open it was abandoned (Kysely would not give
   * such a connection back to the pool).
   */
  static outsideCancellation<T>(work: () => Promise<T>): Promise<T> {
    return scopes.exit(work);
  }

  // The promise form is the one Kysely uses; streams and callbacks pass through untracked.
  override query(...args: unknown[]): any {
    const scope = scopes.getStore();
    const last = args[args.length - 1];
    if (!scope || typeof last === 'function' || typeof (args[0] as { submit?: unknown } | null)?.submit === 'function') {
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    if (scope.signal.aborted) {
      // Its client is gone: nothing more is sent for it (a cancel may have landed between two
      // of its statements), and the connection, perhaps mid-transaction, is closed, not reused.
      this.retire();
      return Promise.reject(Object.assign(new Error('canceling statement: the client that asked for it is gone'), { code: QUERY_CANCELED }));
    }
    const result = (super.query as (...a: unknown[]) => Promise<unknown>)(...args);
    scope.running.add(this);
    this.pending++;
    const settled = () => {
      this.pending--;
      scope.running.delete(this);
      // Before the caller's own continuation, so before the pool takes the connection back.
      if (this.cancelSent) this.retire();
    };
    result.then(settled, settled);
    return result;
  }

  private retire(): void {
    if (this.retiring) return;
    this.retiring = true;
    // The pool sees the client ending when it is released, and drops it.
    void this.end().catch(() => undefined);
  }

  private cancel(): void {
    if (this.cancelSent) return;
    this.cancelSent = true;
    this.sendCancel(RESEND_CANCEL_MS);
  }

  /**
   * A backend ignores a cancel that reaches it while it is still reading the statement
   * (PostgreSQL's ProcessInterrupts drops it when DoingCommandRead), so one sent just as
   * the statement went out can be lost and leave it running, on a lock say, for good.
   * The cancel is sent again, less and less often, until the statement has settled.
   */
  private sendCancel(nextInMs: number): void {
    // The backend's key, from BackendKeyData at connect (pg keeps it; @types/pg does not declare it).
    const { processID, secretKey } = this as unknown as { processID: number | null; secretKey: number | null };
    if (this.pending === 0 || processID === null || secretKey === null) return;
    const message = Buffer.alloc(16);
    message.writeInt32BE(16, 0);
    message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
    message.writeInt32BE(processID, 8);
    message.writeInt32BE(secretKey, 12);
    const socket = this.host.startsWith('/') ? net.connect(`${this.host}/.s.PGSQL.${this.port}`) : net.connect(this.port, this.host);
    // Nothing comes back: the server closes the connection. A cancel that cannot be sent leaves the statement to end on its own.
    socket.on('error', () => undefined);
    socket.end(message);
    setTimeout(() => this.sendCancel(Math.min(nextInMs * 2, MAX_RESEND_CANCEL_MS)), nextInMs).unref();
  }
}
