import type { ChildProcess } from 'node:child_process';
import { spawnCli } from '../../scripts/lib/spawn-cli.ts';

/** `headlines serve` on a free port, from source; resolves once it listens. */
export async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  // One client sends every request here, so the per-client rate limit would measure itself.
  const child = spawnCli(['serve', '--port', '0'], { ...(process.env as Record<string, string>), LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0', ...env });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/localhost:(\d+)\/graphql/.test(log)) {
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `http://127.0.0.1:${/localhost:(\d+)/.exec(log)![1]}` };
}
