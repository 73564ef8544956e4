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
export type Act = (body: CommandBody) => Promise<void>;

/**
 * Runs a command body: config once, then the exit code. A known failure is one line on
 * stderr and exit 1; only the unexpected gets its stack.
 */
export async function runCommand(io: CliIo, body: CommandBody): Promise<number> {
  const write = (line: string) => io.stderr.write(line);
  try {
    const config = loadConfig(io.env);
    const logger = createLogger(config.logLevel, write, config.logFormat);
    return (await body({ config, logger, io, out: (line) => io.stdout.write(`${line}\n`) })) ?? 0;
  } catch (error) {
    if (isAppError(error)) write(`headlines: ${error.message}\n`);
    else write(`headlines: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  }
}
