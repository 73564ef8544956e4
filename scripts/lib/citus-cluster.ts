import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { runOnExit } from './run-on-exit.ts';

const SCRIPT = new URL('../citus-cluster.sh', import.meta.url).pathname;
const run = promisify(execFile);

export interface CitusCluster {
  /** postgres://…@127.0.0.1:PORT/DB of the coordinator. */
  readonly url: string;
  /** The workers' own databases, for what only a worker can tell (e.g. a probe in a test). */
  readonly workerUrls: readonly string[];
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
  destroy(): Promise<void>;
}

const script = async (...args: string[]) => (await run('bash', [SCRIPT, ...args], { maxBuffer: 1 << 20 })).stdout;

/** Why a Citus cluster cannot be made on this machine, in one line; null when it can. */
export function citusUnavailable(): string | null {
  try {
    execFileSync('bash', [SCRIPT, 'check'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return stderr.replace(/^citus-cluster: /, '') || 'scripts/citus-cluster.sh check failed';
  }
}

/**
 * A coordinator and `workers` workers made by scripts/citus-cluster.sh on free ports. It is
 * destroyed by `destroy`, and also when the process exits or is interrupted without it,
 * so a failed or interrupted suite leaves no cluster running.
 */
export async function createCitusCluster(workers = 2): Promise<CitusCluster> {
  const dir = `/tmp/headline-search-test-citus-${process.pid}`;
  await script('destroy', dir);
  const forget = runOnExit(SCRIPT, 'destroy', dir);
  try {
    const out = await script('create', dir, String(workers));
    const url = /COORDINATOR_URL=(\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`scripts/citus-cluster.sh printed no COORDINATOR_URL:\n${out}`);
    const workerUrls = /WORKER_URLS=(\S*)/.exec(out)?.[1]?.split(',').filter(Boolean) ?? [];
    return {
      url,
      workerUrls,
      stop: async (node) => void (await script('stop', dir, node)),
      start: async (node) => void (await script('start', dir, node)),
      destroy: async () => {
        forget();
        await script('destroy', dir);
      },
    };
  } catch (error) {
    forget();
    await script('destroy', dir).catch(() => undefined);
    throw error;
  }
}
