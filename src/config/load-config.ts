import { parseConfig, type Config } from './parse-config.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The only place that reads `process.env`; everything else receives a `Config` or an `Environment`. */
export function processEnvironment(): Environment {
  return process.env;
}

export function loadConfig(env: Environment = processEnvironment()): Config {
  return parseConfig(env);
}
