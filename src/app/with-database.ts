import type { Config } from '../config/parse-config.ts';
import { pendingMigrations } from '../db/migrations.ts';
import { openDatabase, type Database } from '../db/open-database.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';

/** For work that needs the schema: an unmigrated database gets a plain message, not a stack trace. */
export async function openMigratedDatabase(config: Config, logger: Logger): Promise<Database> {
  const database = await openDatabase(config, logger);
  try {
    const pending = await pendingMigrations(database.db);
    if (pending.length > 0) {
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, `The database schema is not up to date (pending: ${pending.join(', ')}); run \`headlines migrate\` or an ingest first.`);
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function closeAfter<T>(database: Database, body: (database: Database) => Promise<T>): Promise<T> {
  try {
    return await body(database);
  } finally {
    await database.close();
  }
}

/** Opens the database for one piece of work and always closes it. */
export async function withDatabase<T>(config: Config, logger: Logger, body: (database: Database) => Promise<T>): Promise<T> {
  return closeAfter(await openDatabase(config, logger), body);
}

export async function withMigratedDatabase<T>(config: Config, logger: Logger, body: (database: Database) => Promise<T>): Promise<T> {
  return closeAfter(await openMigratedDatabase(config, logger), body);
}
