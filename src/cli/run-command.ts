import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/parse-config.ts';
import { pendingMigrations } from '../db/migrations.ts';
import { openDatabase, type Database } from '../db/open-database.ts';
import { AppError, ErrorCode, isAppError } from '../errors/app-error.ts';
import { createLogger, type Logger } from '../logger.ts';

export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly out: (line: string) => void;
}

/**
 * Wraps a command body: config once, a clear one-paragraph message and a non-zero exit
 * code on known failures, the stack only for the unexpected.
 */
export async function runCommand(body: (ctx: CommandContext) => Promise<number | void>): Promise<void> {
  let logger: Logger = createLogger('info');
  try {
    const config = loadConfig();
    logger = createLogger(config.logLevel, undefined, config.logFormat);
    const code = await body({ config, logger, out: (line) => process.stdout.write(`${line}\n`) });
    process.exitCode = code ?? 0;
  } catch (error) {
    if (isAppError(error)) {
      process.stderr.write(`headlines: ${error.message}\n`);
    } else {
      process.stderr.write(`headlines: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}

export async function withDatabase<T>(ctx: CommandContext, body: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(ctx.config, ctx.logger);
  try {
    return await body(database);
  } finally {
    await database.close();
  }
}

/** For commands that need the schema: an unmigrated database gets a plain message, not a stack trace. */
export async function withMigratedDatabase<T>(ctx: CommandContext, body: (database: Database) => Promise<T>): Promise<T> {
  return withDatabase(ctx, async (database) => {
    const pending = await pendingMigrations(database.db);
    if (pending.length > 0) {
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The database schema is not up to date (pending: ${pending.join(', ')}); run \`headlines migrate\` or an ingest first.`);
    }
    return body(database);
  });
}
