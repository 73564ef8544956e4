import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { spawnCli } from './run-cli.ts';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServeProcess {
  readonly url: string;
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies at once, mid-work, as on a crash or an OOM kill. */
  kill(): Promise<void>;
  /** What it has logged so far. */
  log(): string;
}

/** `headlines serve --port 0` as a child process; resolves once it listens. */
export async function startServeProcess(env: Record<string, string>): Promise<ServeProcess> {
  const child: ChildProcess = spawnCli(['serve', '--port', '0'], { EMBED_BACKEND: 'wasm', LOG_LEVEL: 'info', ...env });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!/localhost:(\d+)\/graphql/.test(log)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${/localhost:(\d+)\/graphql/.exec(log)![1]}`,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    log: () => log,
  };
}
