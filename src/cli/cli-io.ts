import type { Readable } from 'node:stream';
import { processEnvironment, type Environment } from '../config/load-config.ts';

/** Everything a command touches of its process, so that `run(argv, io)` also works in-process (tests). */
export interface CliIo {
  readonly env: Environment;
  readonly stdin: Readable;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Resolves with a signal's name when a long-running command (serve, --watch) should stop. */
  readonly stopped: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    env: processEnvironment(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stopped: () =>
      new Promise((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop).off('SIGINT', stop);
          resolve(signal);
        };
        process.once('SIGTERM', stop).once('SIGINT', stop);
      }),
  };
}
