import type { Config } from '../config/parse-config.ts';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../db/open-database.ts';
import type { Logger } from '../logger.ts';

/** Search tunables from the environment, applied per connection; unset ones keep the database's defaults. */
function searchSettings(config: Config): Record<string, string> {
  const settings: Record<string, string> = {};
  if (config.searchCandidates !== null) settings['headline_search.candidates'] = String(config.searchCandidates);
  if (config.searchExactScanRows !== null) settings['headline_search.exact_scan_rows'] = String(config.searchExactScanRows);
  return settings;
}

/** Every connection the API searches on, primary or replica: statement timeout and search settings. */
export function apiConnectionOptions(config: Config): OpenDatabaseOptions {
  return { statementTimeoutMs: config.statementTimeoutMs, sessionSettings: searchSettings(config) };
}

/** The database as the API uses it: statement timeout and search settings on every connection. */
export function openApiDatabase(config: Config, logger: Logger): Promise<Database> {
  return openDatabase(config, logger, apiConnectionOptions(config));
}
