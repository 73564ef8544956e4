import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const SCRIPT = new URL('../replica.sh', import.meta.url).pathname;
const run = promisify(execFile);

export interface Replica {
  /** postgres://…@127.0.0.1:PORT, no database: append one. */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

const script = async (...args: string[]) => (await run('bash', [SCRIPT, ...args], { maxBuffer: 1 << 20 })).stdout;

/**
 * A streaming replica of TEST_DATABASE_URL's server made by scripts/replica.sh. It is
 * destroyed (cluster stopped, slot dropped, directory removed) by `destroy`, and also when
 * the process exits or is interrupted without it, so a failed or interrupted suite leaves
 * nothing running.
 */
export async function createReplica(): Promise<Replica> {
  const port = await freePort();
  const dir = `/tmp/headline-search-test-replica-${port}`;
  // A leftover of an interrupted run would hold the port and the slot.
  await script('destroy', dir);
  const onExit = () => {
    try {
      execFileSync('bash', [SCRIPT, 'destroy', dir], { stdio: 'ignore' });
    } catch {
      // nothing more can be done while exiting
    }
  };
  // Interrupted (Ctrl-C, a runner's timeout): 'exit' alone would not run.
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const forget = () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const out = await script('create', String(port), dir);
    const url = /REPLICA_URL=(\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`scripts/replica.sh printed no REPLICA_URL:\n${out}`);
    return {
      url,
      stop: async () => void (await script('stop', dir)),
      start: async () => void (await script('start', dir)),
      destroy: async () => {
        forget();
        await script('destroy', dir);
      },
    };
  } catch (error) {
    onExit();
    forget();
    throw error;
  }
}

/**
 * Waits until the replica has replayed (or, with `received`, only received: its replay may
 * be paused) everything the primary had written when called.
 */
export async function waitForReplay(primaryUrl: string, replicaUrl: string, timeoutMs = 60_000, received = false): Promise<void> {
  const primary = new pg.Client({ connectionString: primaryUrl });
  const replica = new pg.Client({ connectionString: replicaUrl });
  await primary.connect();
  await replica.connect();
  try {
    const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const position = received ? 'pg_last_wal_receive_lsn()' : 'pg_last_wal_replay_lsn()';
      const done = await replica.query<{ caught: boolean }>(`select coalesce(${position} >= $1::pg_lsn, false) as caught`, [rows[0]!.lsn]);
      if (done.rows[0]!.caught) return;
      if (Date.now() > deadline) throw new Error(`replica did not ${received ? 'receive' : 'replay'} up to ${rows[0]!.lsn} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await primary.end();
    await replica.end();
  }
}

/** The same database on another server: `url`'s path on `server`'s host and port. */
export function onServer(server: string, url: string): string {
  const u = new URL(server);
  u.pathname = new URL(url).pathname;
  return u.toString();
}
