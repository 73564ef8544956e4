import type { Config } from '../config/parse-config.ts';
import { grantAnalyst } from '../db/grant-analyst.ts';
import type { Logger } from '../logger.ts';
import { withMigratedDatabase } from './with-database.ts';

/** `headlines grant-analyst`: the read-only login role for SQL analysts, created if missing. */
export function grantAnalystRole(config: Config, logger: Logger, role: string): Promise<{ created: boolean }> {
  return withMigratedDatabase(config, logger, ({ db }) => grantAnalyst(db, role));
}
