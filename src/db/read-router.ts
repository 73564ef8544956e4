import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Logger } from '../logger.ts';
import { isReplicaFailure } from './database-errors.ts';
import type { PooledDatabase } from './open-database.ts';
import { measureReplicaLag } from './replica-lag.ts';
import { createRoutedKysely } from './routed-kysely.ts';
import type { DB } from './schema.ts';

/** `ok`: in the read rotation; `down`: failed too often in a row; `behind`: lag over the bound. */
export type ReadPoolState = 'ok' | 'down' | 'behind';

export interface ReadPoolStatus {
  /** `primary`, or `replica-1`, `replica-2`… in DATABASE_READ_URLS order (no addresses: they may hold passwords). */
  readonly name: string;
  readonly state: ReadPoolState;
  /** Last measured lag; null before the first measurement and for the primary. */
  readonly lagMs: number | null;
  /** Statements this pool answered, and statements that failed on it. */
  readonly queries: number;
  readonly errors: number;
}

export interface ReadRouterOptions {
  readonly primary: PooledDatabase;
  readonly replicas: readonly PooledDatabase[];
  readonly maxLagMs: number;
  readonly checkIntervalMs: number;
  /** Consecutive failures (reads or checks) after which a replica leaves the rotation. */
  readonly failuresToExclude?: number;
  readonly logger: Logger;
}

export interface ReadRouter {
  /** Reads through this Kysely go to a replica in rotation, or to the primary when none is. */
  readonly db: Kysely<DB>;
  readonly replicaCount: number;
  /** Every pool, primary first. */
  status(): ReadPoolStatus[];
  /** The largest lag among replicas in rotation: how stale a read may be. Null: reads are on the primary. */
  replicaLagMs(): number | null;
  /** Checks every replica now (health and lag); also runs every checkIntervalMs. */
  check(): Promise<void>;
  close(): Promise<void>;
}

interface PoolEntry extends PooledDatabase {
  readonly name: string;
  failures: number;
  lagMs: number | null;
  queries: number;
  errors: number;
}

const DEFAULT_FAILURES_TO_EXCLUDE = 3;

/**
 * Routes each read statement to the least busy replica in rotation (round-robin among
 * equals). A statement that fails there because the replica is unreachable, went away or
 * cancelled it for replay runs again on the primary, so a replica going down fails no
 * read. Replicas leave the rotation after N failures in a row or when behind by more than
 * maxLagMs, and come back once a check finds them answering and caught up.
 */
export function createReadRouter(options: ReadRouterOptions): ReadRouter {
  const { logger, maxLagMs } = options;
  const failuresToExclude = options.failuresToExclude ?? DEFAULT_FAILURES_TO_EXCLUDE;
  const entry = (name: string, d: PooledDatabase): PoolEntry => ({ ...d, name, failures: 0, lagMs: null, queries: 0, errors: 0 });
  const primary = entry('primary', options.primary);
  const replicas = options.replicas.map((r, i) => entry(`replica-${i + 1}`, r));
  let turn = 0;

  // Never measured: down if it could not be reached, behind until its first check otherwise.
  const stateOf = (r: PoolEntry): ReadPoolState => {
    if (r.failures >= failuresToExclude || (r.lagMs === null && r.failures > 0)) return 'down';
    return r.lagMs === null || r.lagMs > maxLagMs ? 'behind' : 'ok';
  };
  const lastState = new Map(replicas.map((r) => [r, stateOf(r)]));
  const noteState = (r: PoolEntry, reason: string) => {
    const state = stateOf(r);
    if (lastState.get(r) === state) return;
    lastState.set(r, state);
    if (state === 'ok') logger.info(`read pool ${r.name} back in rotation`);
    else logger.warn(`read pool ${r.name} out of rotation (${state}): ${reason}`);
    if (replicas.every((x) => stateOf(x) !== 'ok')) logger.warn('no read replica in rotation: reads go to the primary');
  };
  const fail = (r: PoolEntry, error: unknown) => {
    r.failures += 1;
    noteState(r, (error as Error).message);
  };

  const busy = (r: PoolEntry) => r.pool.totalCount - r.pool.idleCount + r.pool.waitingCount;
  const choose = (): PoolEntry | null => {
    let best: PoolEntry | null = null;
    for (let i = 0; i < replicas.length; i++) {
      const r = replicas[(turn + i) % replicas.length]!;
      if (stateOf(r) === 'ok' && (best === null || busy(r) < busy(best))) best = r;
    }
    turn = (turn + 1) % Math.max(1, replicas.length);
    return best;
  };

  const runOn = async <R>(target: PoolEntry, query: CompiledQuery): Promise<QueryResult<R>> => {
    try {
      const result = await target.db.executeQuery<R>(query);
      target.queries += 1;
      return result;
    } catch (error) {
      target.errors += 1;
      throw error;
    }
  };

  const run = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const replica = choose();
    if (replica === null) return runOn<R>(primary, query);
    try {
      const result = await runOn<R>(replica, query);
      replica.failures = 0;
      return result;
    } catch (error) {
      if (!isReplicaFailure(error)) throw error;
      fail(replica, error);
      logger.debug(`read on ${replica.name} failed (${(error as Error).message}); running it on the primary`);
      return runOn<R>(primary, query);
    }
  };

  let checking: Promise<void> | null = null;
  const checkOne = async (r: PoolEntry) => {
    try {
      r.lagMs = await measureReplicaLag(r.db);
      r.failures = 0;
      noteState(r, `${Math.round(r.lagMs)} ms behind the primary (MAX_REPLICA_LAG_MS=${maxLagMs})`);
    } catch (error) {
      fail(r, error);
    }
  };
  const check = (): Promise<void> => {
    checking ??= Promise.all(replicas.map(checkOne)).then(() => undefined).finally(() => (checking = null));
    return checking;
  };
  const timer = replicas.length > 0 ? setInterval(() => void check(), options.checkIntervalMs) : null;
  timer?.unref();

  const db = replicas.length === 0 ? primary.db : createRoutedKysely(run);
  return {
    db,
    replicaCount: replicas.length,
    status: () => [primary, ...replicas].map((r) => ({ name: r.name, state: r === primary ? 'ok' : stateOf(r), lagMs: r.lagMs, queries: r.queries, errors: r.errors })),
    replicaLagMs() {
      const lags = replicas.filter((r) => stateOf(r) === 'ok').map((r) => r.lagMs!);
      return lags.length === 0 ? null : Math.max(...lags);
    },
    check,
    async close() {
      if (timer) clearInterval(timer);
      await checking;
      await Promise.all(replicas.map((r) => r.db.destroy()));
    },
  };
}
