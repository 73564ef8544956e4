import path from 'node:path';
import os from 'node:os';
import { BACKENDS, MODELS, type BackendRequest, type ModelName } from './embed-backends.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { LOG_LEVELS, type LogLevel } from '../logger.ts';


export interface Config {
  /** Unset: the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** How long to wait for a database connection before giving up, in milliseconds. */
  readonly databaseConnectTimeoutMs: number;
  readonly dataDir: string;
  readonly port: number;
  readonly embeddedDbPort: number;
  readonly logLevel: LogLevel;
  /** Runtime for the Universal Sentence Encoder; auto prefers ONNX Runtime, then native TensorFlow, then wasm. */
  readonly embedBackend: BackendRequest;
  /** use-lite (the Universal Sentence Encoder), or hash (bag of words, no model: tests and demos). */
  readonly embedModel: ModelName;
  /** Worker threads for bulk embedding (each holds its own model). */
  readonly embedWorkers: number;
  /** ONNX Runtime threads for the API's query model (one text at a time, latency first). */
  readonly embedQueryThreads: number;
  /** Sentences per model call in bulk embedding. */
  readonly embedBatchSize: number;
  /** LRU entries of normalised query → vector in the API; 0 disables the cache. */
  readonly queryCacheSize: number;
  /** Per-statement limit on the database, in milliseconds. */
  readonly statementTimeoutMs: number;
  /** Record served searches into search_queries for analysts. */
  readonly logQueries: boolean;
  /** ANN candidates re-ranked per search (headline_search.candidates); null: the database default (200). */
  readonly searchCandidates: number | null;
  /** Scopes up to this many estimated rows are scanned exactly (headline_search.exact_scan_rows); null: database default (10000). */
  readonly searchExactScanRows: number | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses and validates the whole environment at once, so a misconfigured deployment
 * learns about every bad variable in one go rather than one restart at a time.
 */
export function parseConfig(env: Env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const port = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n > 65535) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a TCP port, an integer from 0 (any free port) to 65535`);
      return fallback;
    }
    return n;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  // Unset stays null: the database's own default applies (it is defined once, in SQL).
  const optionalInteger = (name: string, min: number, max: number): number | null =>
    value(name) === undefined ? null : integer(name, min, min, max);

  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    problems.push(`DATABASE_URL: expected postgres://user@host:port/database (or postgresql://), got ${JSON.stringify(redactUrl(databaseUrl))}`);
  }

  const logLevelRaw = value('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevelRaw)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const boolean = (name: string): boolean => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return false;
  };

  const embedBackend = value('EMBED_BACKEND')?.toLowerCase() ?? 'auto';
  if (embedBackend !== 'auto' && !(BACKENDS as readonly string[]).includes(embedBackend)) {
    problems.push(`EMBED_BACKEND=${JSON.stringify(embedBackend)}: expected auto or one of ${BACKENDS.join(', ')}`);
  }

  const embedModel = value('EMBED_MODEL')?.toLowerCase() ?? 'use-lite';
  if (!(MODELS as readonly string[]).includes(embedModel)) {
    problems.push(`EMBED_MODEL=${JSON.stringify(embedModel)}: expected one of ${MODELS.join(', ')}`);
  }

  const config: Config = {
    databaseUrl,
    databaseConnectTimeoutMs: integer('DATABASE_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
    dataDir: path.resolve(cwd, value('DATA_DIR') ?? '.data'),
    port: port('PORT', 4000),
    embeddedDbPort: port('EMBEDDED_DB_PORT', 5433),
    logLevel: logLevelRaw as LogLevel,
    embedBackend: embedBackend as BackendRequest,
    embedModel: embedModel as ModelName,
    embedWorkers: integer('EMBED_WORKERS', os.availableParallelism(), 1, 64),
    embedQueryThreads: integer('EMBED_QUERY_THREADS', Math.min(4, os.availableParallelism()), 1, 64),
    embedBatchSize: integer('EMBED_BATCH_SIZE', 64, 1, 4096),
    queryCacheSize: integer('QUERY_CACHE_SIZE', 1000, 0, 10_000_000),
    statementTimeoutMs: integer('STATEMENT_TIMEOUT_MS', 5000, 1, 86_400_000),
    logQueries: boolean('LOG_QUERIES'),
    searchCandidates: optionalInteger('SEARCH_CANDIDATES', 1, 1000),
    searchExactScanRows: optionalInteger('SEARCH_EXACT_SCAN_ROWS', 0, 1_000_000_000),
  };

  if (problems.length > 0) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(config);
}

function isPostgresUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Never echo a password back into logs. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
