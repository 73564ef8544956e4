import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/parse-config.ts';
import type { Logger } from '../logger.ts';
import type { VectorExtensionReport } from './assess-vector-extension.ts';
import { CancellableClient } from './cancellable-client.ts';
import { checkVectorExtension } from './check-vector-extension.ts';
import { describeConnectionFailure } from './database-errors.ts';
import { stopIfClientLost } from './stop-if-client-lost.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/start-embedded-postgres.ts';
import type { DB } from './schema.ts';

export type DatabaseMode = 'server' | 'embedded';

export interface Database {
  readonly mode: DatabaseMode;
  readonly db: Kysely<DB>;
  readonly pool: pg.Pool;
  /** Where psql can reach the same data. */
  readonly connectionString: string;
  /** Set in embedded mode: direct PGlite access, e.g. for bulk COPY. */
  readonly embedded: EmbeddedPostgres | null;
  /** The pgvector versions the server reported when the database was opened. */
  readonly vectorExtension: VectorExtensionReport;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  readonly poolSize?: number;
  /** Per-statement limit (the API passes STATEMENT_TIMEOUT_MS); none by default, for ingests and index builds. */
  readonly statementTimeoutMs?: number;
  /** Settings applied to every new connection (SET name = value), e.g. search tunables. */
  readonly sessionSettings?: Readonly<Record<string, string>>;
}

// int8 ids stay strings (they exceed 2^53 in principle); dates stay 'YYYY-MM-DD' text
// so no time zone ever shifts a publication date.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.DATE ? (v: string) => v : pg.types.getTypeParser(oid, format),
};

export interface PooledDatabase {
  readonly pool: pg.Pool;
  readonly db: Kysely<DB>;
}

/**
 * A pg.Pool and its Kysely, nothing asked of the server yet: the primary's (below) and each
 * read replica's, which may well be down when the API starts.
 */
export function connectPool(
  connectionString: string,
  config: Pick<Config, 'databaseConnectTimeoutMs'>,
  logger: Logger,
  options: OpenDatabaseOptions = {},
  mode: DatabaseMode = 'server',
): PooledDatabase {
  const timeout = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 8,
    // A server's statements can be cancelled when the API's client hangs up (PGlite's socket takes no cancel requests).
    ...(mode === 'server' ? { Client: CancellableClient } : {}),
    connectionTimeoutMillis: config.databaseConnectTimeoutMs,
    types,
    ...(timeout > 0 ? { statement_timeout: timeout } : {}),
  });
  // A client losing its server (restart, network) must not crash the process: pg-pool only
  // listens on idle clients, so checked-out ones get a listener of their own. Their
  // pending queries fail (and are reported as SERVICE_UNAVAILABLE); the pool replaces them.
  pool.on('error', (error) => logger.warn(`database connection lost: ${error.message}`));
  pool.on('connect', (client) => client.on('error', (error) => logger.debug(`database connection error: ${error.message}`)));
  const settings = Object.entries(options.sessionSettings ?? {});
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool,
      // Awaited before the connection's first query, unlike a pool 'connect' listener.
      onCreateConnection: (connection) =>
        CancellableClient.outsideCancellation(async () => {
          // PGlite serves this process only; it dies with it.
          if (mode === 'server') await stopIfClientLost(connection);
          for (const [name, value] of settings) await connection.executeQuery(CompiledQuery.raw('select set_config($1, $2, false)', [name, value]));
        }),
    }),
  });
  return { pool, db };
}

/**
 * One entry point for both modes: a real server from DATABASE_URL, or the embedded
 * PGlite served on loopback. Either way the caller gets the same pg.Pool + Kysely.
 */
export async function openDatabase(config: Config, logger: Logger, options: OpenDatabaseOptions = {}): Promise<Database> {
  const embedded = config.databaseUrl === undefined
    ? await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedDbPort, logger })
    : undefined;
  const connectionString = embedded?.connectionString ?? config.databaseUrl!;
  const { pool, db } = connectPool(connectionString, config, logger, options, embedded ? 'embedded' : 'server');
  const close = async () => {
    await db.destroy();
    await embedded?.close();
  };
  let vectorExtension: VectorExtensionReport;
  try {
    // The first query is where an unreachable server, a wrong password or a missing
    // database shows up: say so in one line instead of a driver stack trace.
    vectorExtension = await checkVectorExtension(db);
  } catch (error) {
    await close();
    throw describeConnectionFailure(error, connectionString, config.databaseConnectTimeoutMs) ?? error;
  }
  return { mode: embedded ? 'embedded' : 'server', db, pool, connectionString, embedded: embedded ?? null, vectorExtension, close };
}
