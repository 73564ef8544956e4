import path from 'node:path';
import net from 'node:net';
import os from 'node:os';
import { BACKENDS, MODELS, type BackendRequest, type ModelName } from './embed-backends.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.ts';


/**
 * PGlite builds the HNSW index with 256 MB of maintenance_work_mem. Past the headlines whose
 * graph fits in that memory (64-d, m = 16), the build spills to disk and takes hours; the
 * limit stays below that point with a margin.
 */
export const EMBEDDED_MAX_HEADLINES = 350_000;

export interface Config {
  /** Unset: the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Read replicas of DATABASE_URL (streaming replication); searches, lookups and stats read there. Empty: all on the primary. */
  readonly databaseReadUrls: readonly string[];
  /** A replica further behind the primary than this is taken out of the read rotation until it catches up. */
  readonly maxReplicaLagMs: number;
  /** How often each replica's health and lag are checked, in milliseconds. */
  readonly replicaCheckIntervalMs: number;
  /** How long to wait for a database connection before giving up, in milliseconds. */
  readonly databaseConnectTimeoutMs: number;
  readonly dataDir: string;
  readonly port: number;
  readonly embeddedDbPort: number;
  /** Most headlines an ingest may leave in the embedded database (its HNSW graph must fit in PGlite's memory). */
  readonly embeddedMaxHeadlines: number;
  /** maintenance_work_mem for HNSW builds on one database host, in MB; on Citus shared by the shard builds a worker runs at once. */
  readonly hnswBuildMemoryMb: number;
  readonly logLevel: LogLevel;
  /** Runtime for the Universal Sentence Encoder; auto prefers ONNX Runtime, then native TensorFlow, then wasm. */
  readonly embedBackend: BackendRequest;
  /**
   * use-lite (the Universal Sentence Encoder), use-lite-int8 (its int8 form on ONNX Runtime), or
   * hash (bag of words, no model: tests and demos). Unset, it is the model for a new database;
   * `resolveEmbedModel` then replaces it with the model an existing database was embedded with.
   */
  readonly embedModel: ModelName;
  /** EMBED_MODEL was set (or `--model` given): the database's own model does not replace it. */
  readonly embedModelExplicit: boolean;
  /** Worker threads for bulk embedding (each holds its own model). */
  readonly embedWorkers: number;
  /**
   * ONNX Runtime threads for the API's query model. One by default: a query is too small to
   * share, and a second thread must be woken for every operator of every call, which costs
   * more CPU than it saves time (bench:embed --gap-ms); bulk workers are set apart.
   */
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
  /** Scopes up to this many estimated rows are scanned exactly (headline_search.exact_scan_rows); null: database default (1000). */
  readonly searchExactScanRows: number | null;
  /** `search(collapse: true)` folds a result into a better-ranked one at or above this full-vector cosine similarity. */
  readonly collapseSimilarity: number;
  /** What a browser gets at /graphql: the bundled GraphiQL, Apollo's landing page (loads from a CDN), or nothing. */
  readonly graphqlIde: (typeof GRAPHQL_IDES)[number];

  // Public API protection and production mode.
  /** NODE_ENV as given ('' when unset); Apollo receives it instead of reading the environment. */
  readonly nodeEnv: string;
  readonly production: boolean;
  readonly logFormat: LogFormat;
  /** Put GraphQL documents and variables into request logs (off: they may hold what users search for). */
  readonly logQueryText: boolean;
  readonly graphqlIntrospection: boolean;
  // The shapes of the server's settings; their types live with the modules that use them
  // (OperationLimits, RateLimitSettings, ConcurrencySettings), which sit above
  // config in the layer map and check these shapes structurally where the app passes them on.
  readonly operationLimits: { readonly maxTokens: number; readonly maxFields: number; readonly maxDepth: number; readonly maxAliases: number; readonly maxCost: number };
  readonly rateLimit: { readonly perMinute: number; readonly burst: number };
  readonly concurrency: { readonly maxInFlight: number; readonly queueTimeoutMs: number; readonly maxQueued: number };
  /** Express's `trust proxy`: false, a hop count, or trusted proxies' addresses/subnets. Never `true`: that takes the leftmost X-Forwarded-For entry, which the client writes. */
  readonly trustProxy: false | number | readonly string[];
  /** Origins a browser may call the API from; '*' any; empty: same origin only. */
  readonly corsOrigins: readonly string[] | '*';
  /** Longest a client may take to send a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /**
   * Seconds a shared cache (a CDN, a proxy) may keep an anonymous answer, by the root fields
   * it comes from (CacheMaxAges in src/graphql checks this shape); 0: never (`no-store`).
   */
  readonly cacheMaxAge: { readonly search: number; readonly timeline: number; readonly suggest: number; readonly headline: number; readonly stats: number };
}

const GRAPHQL_IDES = ['local', 'apollo', 'off'] as const;

/** A year: the furthest freshness HTTP/1.1 advised a server to promise (RFC 2616, Expires). */
const MAX_AGE_LIMIT = 31_536_000;

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

  const fraction = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^(0|1)?(\.\d+)?$/.test(raw) || raw === '.' || !(n > 0 && n <= 1)) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a number above 0 and at most 1`);
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

  const databaseReadUrls = (value('DATABASE_READ_URLS') ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  const badReadUrls = databaseReadUrls.filter((u) => !isPostgresUrl(u));
  if (badReadUrls.length > 0) {
    problems.push(`DATABASE_READ_URLS: expected comma-separated postgres:// URLs, got ${badReadUrls.map((u) => JSON.stringify(redactUrl(u))).join(', ')}`);
  }
  if (databaseReadUrls.length > 0 && databaseUrl === undefined) {
    problems.push('DATABASE_READ_URLS needs DATABASE_URL: replicas stream from a PostgreSQL server, and the embedded database has none');
  }

  const logLevelRaw = value('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevelRaw)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  const boolean = (name: string, fallback = false): boolean => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return fallback;
  };

  const embedBackend = value('EMBED_BACKEND')?.toLowerCase() ?? 'auto';
  if (embedBackend !== 'auto' && !(BACKENDS as readonly string[]).includes(embedBackend)) {
    problems.push(`EMBED_BACKEND=${JSON.stringify(embedBackend)}: expected auto or one of ${BACKENDS.join(', ')}`);
  }

  const embedModelSet = value('EMBED_MODEL')?.toLowerCase();
  const embedModel = embedModelSet ?? 'use-lite';
  if (!(MODELS as readonly string[]).includes(embedModel)) {
    problems.push(`EMBED_MODEL=${JSON.stringify(embedModel)}: expected one of ${MODELS.join(', ')}`);
  }

  const config: Config = {
    databaseUrl,
    databaseReadUrls: Object.freeze(badReadUrls.length > 0 ? [] : databaseReadUrls),
    maxReplicaLagMs: integer('MAX_REPLICA_LAG_MS', 5000, 1, 86_400_000),
    replicaCheckIntervalMs: integer('REPLICA_CHECK_INTERVAL_MS', 1000, 50, 600_000),
    databaseConnectTimeoutMs: integer('DATABASE_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
    dataDir: path.resolve(cwd, value('DATA_DIR') ?? '.data'),
    port: port('PORT', 4000),
    embeddedDbPort: port('EMBEDDED_DB_PORT', 5433),
    embeddedMaxHeadlines: integer('EMBEDDED_MAX_HEADLINES', EMBEDDED_MAX_HEADLINES, 1, 1_000_000_000),
    // One server's build has had 1 GB; maintenance_work_mem cannot pass 2 TB.
    hnswBuildMemoryMb: integer('HNSW_BUILD_MEMORY_MB', 1024, 64, 2_097_151),
    logLevel: logLevelRaw as LogLevel,
    embedBackend: embedBackend as BackendRequest,
    embedModel: embedModel as ModelName,
    embedModelExplicit: embedModelSet !== undefined,
    embedWorkers: integer('EMBED_WORKERS', os.availableParallelism(), 1, 64),
    embedQueryThreads: integer('EMBED_QUERY_THREADS', 1, 1, 64),
    embedBatchSize: integer('EMBED_BATCH_SIZE', 64, 1, 4096),
    queryCacheSize: integer('QUERY_CACHE_SIZE', 1000, 0, 10_000_000),
    statementTimeoutMs: integer('STATEMENT_TIMEOUT_MS', 5000, 1, 86_400_000),
    logQueries: boolean('LOG_QUERIES'),
    searchCandidates: optionalInteger('SEARCH_CANDIDATES', 1, 1000),
    searchExactScanRows: optionalInteger('SEARCH_EXACT_SCAN_ROWS', 0, 1_000_000_000),
    collapseSimilarity: fraction('COLLAPSE_SIMILARITY', 0.95),
    ...apiProtection(value, integer, boolean, problems),
    cacheMaxAge: Object.freeze({
      search: integer('CACHE_MAX_AGE_SEARCH', 300, 0, MAX_AGE_LIMIT),
      timeline: integer('CACHE_MAX_AGE_TIMELINE', 300, 0, MAX_AGE_LIMIT),
      suggest: integer('CACHE_MAX_AGE_SUGGEST', 300, 0, MAX_AGE_LIMIT),
      headline: integer('CACHE_MAX_AGE_HEADLINE', 3600, 0, MAX_AGE_LIMIT),
      // Short: it is what an operator watches while loading, and it carries the replicas' lag.
      stats: integer('CACHE_MAX_AGE_STATS', 5, 0, MAX_AGE_LIMIT),
    }),
  };

  if (problems.length > 0) {
    throw new AppError(ErrorCode.CONFIG_INVALID, `Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(config);
}

type ApiProtection = Pick<Config, 'nodeEnv' | 'production' | 'graphqlIde' | 'logFormat' | 'logQueryText' | 'graphqlIntrospection' | 'operationLimits' | 'rateLimit' | 'concurrency' | 'trustProxy' | 'corsOrigins' | 'requestTimeoutMs'>;

function apiProtection(
  value: (name: string) => string | undefined,
  integer: (name: string, fallback: number, min: number, max: number) => number,
  boolean: (name: string, fallback?: boolean) => boolean,
  problems: string[],
): ApiProtection {
  const nodeEnv = value('NODE_ENV') ?? '';
  const production = nodeEnv === 'production';
  const logFormat = value('LOG_FORMAT')?.toLowerCase() ?? (production ? 'json' : 'text');
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) problems.push(`LOG_FORMAT=${JSON.stringify(logFormat)}: expected ${LOG_FORMATS.join(' or ')}`);
  const graphqlIde = value('GRAPHQL_IDE')?.toLowerCase() ?? (production ? 'off' : 'local');
  if (!(GRAPHQL_IDES as readonly string[]).includes(graphqlIde)) problems.push(`GRAPHQL_IDE=${JSON.stringify(graphqlIde)}: expected ${GRAPHQL_IDES.join(', ')}`);
  return {
    nodeEnv,
    production,
    graphqlIde: graphqlIde as Config['graphqlIde'],
    logFormat: logFormat as LogFormat,
    logQueryText: boolean('LOG_QUERY_TEXT'),
    graphqlIntrospection: boolean('GRAPHQL_INTROSPECTION', !production),
    operationLimits: Object.freeze({
      maxTokens: integer('GRAPHQL_MAX_TOKENS', 1000, 10, 100_000),
      maxFields: integer('GRAPHQL_MAX_FIELDS', 200, 1, 100_000),
      maxDepth: integer('GRAPHQL_MAX_DEPTH', 6, 1, 1000),
      maxAliases: integer('GRAPHQL_MAX_ALIASES', 15, 0, 100_000),
      maxCost: integer('GRAPHQL_MAX_COST', 1000, 1, 1_000_000_000),
    }),
    rateLimit: Object.freeze({
      perMinute: integer('RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000_000),
      burst: integer('RATE_LIMIT_BURST', 100, 1, 1_000_000_000),
    }),
    concurrency: Object.freeze({
      maxInFlight: integer('MAX_CONCURRENT_OPERATIONS', 6, 1, 10_000),
      queueTimeoutMs: integer('OPERATION_QUEUE_TIMEOUT_MS', 5000, 0, 600_000),
      maxQueued: integer('OPERATION_QUEUE_SIZE', 512, 0, 1_000_000),
    }),
    trustProxy: parseTrustProxy(value('TRUST_PROXY'), problems),
    corsOrigins: parseCorsOrigins(value('CORS_ORIGINS'), problems),
    requestTimeoutMs: integer('REQUEST_TIMEOUT_MS', 10_000, 100, 3_600_000),
  };
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(raw: string | undefined, problems: string[]): Config['trustProxy'] {
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true') {
    // As express-rate-limit refuses it (ERR_ERL_PERMISSIVE_TRUST_PROXY): every client could pick its own rate-limit key.
    problems.push(`TRUST_PROXY=true trusts every X-Forwarded-For entry, and clients write the leftmost one, so each could pick its own rate-limit key; give the number of proxy hops in front of the API (e.g. 1) or the proxies' addresses or subnets (10.0.0.0/8, loopback, uniquelocal)`);
    return false;
  }
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const bad = entries.filter((e) => !PROXY_KEYWORDS.has(e) && !isAddressOrSubnet(e));
  if (bad.length > 0 || entries.length === 0) {
    problems.push(`TRUST_PROXY=${JSON.stringify(raw)}: expected false, a number of proxy hops, or a comma-separated list of proxy addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal`);
    return false;
  }
  return Object.freeze(entries);
}

function isAddressOrSubnet(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = net.isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseCorsOrigins(raw: string | undefined, problems: string[]): readonly string[] | '*' {
  if (raw === undefined) return Object.freeze([]);
  if (raw === '*') return '*';
  const origins = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  const bad = origins.filter((o) => !isOrigin(o));
  if (bad.length > 0) problems.push(`CORS_ORIGINS: expected * or comma-separated origins such as https://app.example.com (scheme, host, optional port; no path), got ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return Object.freeze(origins.filter(isOrigin));
}

function isOrigin(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === candidate;
  } catch {
    return false;
  }
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
