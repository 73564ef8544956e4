import { parseConfig, type Config } from './parse-config.ts';

/** The only place that reads `process.env`; everything else receives a `Config`. */
export function loadConfig(overrides: Partial<Record<string, string>> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}
