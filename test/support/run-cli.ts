import { Readable } from 'node:stream';
import { spawnCli } from '../../scripts/lib/spawn-cli.ts';
import { run } from '../../src/cli/main.ts';

// The process-spawning half lives in scripts/lib so that benchmarks can use it without importing test/.
export { ROOT, spawnCli } from '../../scripts/lib/spawn-cli.ts';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  readonly input?: string;
  /** Resolves when a long-running command (serve, --watch) should stop; never, by default. */
  readonly stopped?: Promise<string>;
}

/** Runs `headlines <args>` in this process with only `env` as its environment. */
export async function runCli(args: string[], env: Record<string, string>, options: InProcessOptions | string = {}): Promise<CliResult> {
  const { input, stopped } = typeof options === 'string' ? { input: options, stopped: undefined } : options;
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    env,
    stdin: Readable.from([input ?? '']),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stopped: () => stopped ?? new Promise(() => undefined),
  });
  return { code, stdout, stderr };
}

/** `headlines <args>` in a process of its own, to completion. */
export function runCliProcess(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
