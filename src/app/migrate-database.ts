import type { Config } from '../config/parse-config.ts';
import { vectorExtensionAdvice } from '../db/assess-vector-extension.ts';
import { migrateToLatest, migrationStatus, type MigrationState } from '../db/migrations.ts';
import type { DatabaseMode } from '../db/open-database.ts';
import type { Logger } from '../logger.ts';
import { withDatabase } from './with-database.ts';

export interface MigrateRequest {
  /** List applied and pending migrations; change nothing. */
  readonly statusOnly: boolean;
  /** Told which database was opened before anything runs on it, so a failing migration still shows where. */
  readonly onOpened: (database: { readonly mode: DatabaseMode; readonly connectionString: string }) => void;
}

export type MigrateResult = { readonly status: MigrationState[] } | { readonly applied: string[] };

/** `headlines migrate`: apply pending migrations, or only list them. */
export function migrateDatabase(config: Config, logger: Logger, request: MigrateRequest): Promise<MigrateResult> {
  return withDatabase(config, logger, async ({ db, mode, connectionString, vectorExtension }) => {
    request.onOpened({ mode, connectionString });
    const advice = vectorExtensionAdvice(vectorExtension);
    if (advice) logger.warn(advice);
    if (request.statusOnly) return { status: await migrationStatus(db) };
    return { applied: await migrateToLatest(db) };
  });
}
