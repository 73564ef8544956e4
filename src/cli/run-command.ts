import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/parse-config.ts';
import { isAppError } from '../errors/app-error.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { CliIo } from './cli-io.ts';

export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly io: CliIo;
  readonly out: (line: string) => void;
}

export type CommandBody = (ctx: CommandContext) => Promise<number | void>;

/** How a command's action runs its body; `run` keeps the exit code. */
export type RunCommandBody = (body: CommandBody) => Promise<void>;

/**
 * Runs a command body: config once, then the exit code. Any failure is one line on stderr
 * and exit 1; a user reads what went wrong, not where. The stack of an unexpected error is
 * for whoever debugs it, so it is printed only under LOG_LEVEL=debug.
 */
export async function runCommand(io: CliIo, body: CommandBody): Promise<number> {
  const write = (line: string) => io.stderr.write(line);
  // Read before the config is: a bad config must not hide the level asked for.
  let debug = io.env.LOG_LEVEL?.trim().toLowerCase() === 'debug';
  try {
    const config = loadConfig(io.env);
    debug = config.logLevel === 'debug';
    const logger = createLogger(config.logLevel, write, config.logFormat);
    return (await body({ config, logger, io, out: (line) => io.stdout.write(`${line}\n`) })) ?? 0;
  } catch (error) {
    if (isAppError(error)) write(`headlines: ${error.message}\n`);
    else {
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      const hint = debug ? '' : ' Re-run with LOG_LEVEL=debug for the stack trace, and report it if the cause is not yours.';
      write(`headlines: unexpected error: ${oneLine(message).replace(/\.$/, '')}.${hint}\n`);
      if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`);
    }
    return 1;
  }
}

/** Messages from drivers and libraries may span lines; stderr gets one. */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
