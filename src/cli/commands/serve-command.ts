import type { Command } from 'commander';
import type { Config } from '../../config/parse-config.ts';
import { openDatabase, type Database } from '../../db/open-database.ts';
import { createEmbedder } from '../../embedding/create-embedder.ts';
import { createQueryEmbedder } from '../../embedding/query-embedder.ts';
import { USE_MODEL_ID } from '../../embedding/use-model-files.ts';
import { recordServedQuery } from '../../db/search-queries-repository.ts';
import { startQueryEmbeddingWorker } from '../../search/query-embedding-worker.ts';
import { startApiServer } from '../../server/start-api-server.ts';
import { runCommand, type CommandContext } from '../run-command.ts';
import { port } from './option-parsers.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the GraphQL API (/graphql) with /healthz, /readyz and /metrics')
    .option('--port <n>', 'HTTP port (default PORT, 4000; 0: any free port)', port)
    .action((flags: { port?: number }) => runCommand((ctx) => serve(ctx, flags.port ?? ctx.config.port)));
}

export function searchSettings(config: Config): Record<string, string> {
  const settings: Record<string, string> = {};
  if (config.searchCandidates !== null) settings['headline_search.candidates'] = String(config.searchCandidates);
  if (config.searchExactScanRows !== null) settings['headline_search.exact_scan_rows'] = String(config.searchExactScanRows);
  return settings;
}

/** The database as the API uses it: statement timeout and search settings on every connection. */
export function openApiDatabase(ctx: CommandContext): Promise<Database> {
  return openDatabase(ctx.config, ctx.logger, { statementTimeoutMs: ctx.config.statementTimeoutMs, sessionSettings: searchSettings(ctx.config) });
}

export async function serve(ctx: CommandContext, port: number): Promise<void> {
  const database = await openApiDatabase(ctx);
  try {
    await serveDatabase(ctx, database, port);
  } finally {
    await database.close();
  }
}

/** Runs until SIGTERM/SIGINT, then drains in-flight requests and closes what it opened. */
export async function serveDatabase(ctx: CommandContext, database: Database, port: number): Promise<void> {
  // Listen while the model loads: /healthz answers at once, /readyz says 503 until it is in.
  const embedder = createQueryEmbedder(createEmbedder(ctx.config, ctx.logger, 'query'), { cacheSize: ctx.config.queryCacheSize });
  const onQuery = ctx.config.logQueries
    ? (text: string, embedding: Float32Array) => void recordServedQuery(database.db, text, embedding).catch((e: Error) => ctx.logger.warn(`LOG_QUERIES: ${e.message}`))
    : undefined;
  const server = await startApiServer({ database, embedder, modelId: USE_MODEL_ID, logger: ctx.logger, port, onQuery, settings: ctx.config });
  const queries = await startQueryEmbeddingWorker({ database, embed: (texts) => Promise.all(texts.map((t) => embedder.embedQuery(t))), logger: ctx.logger });
  if (database.embedded) ctx.logger.info(`embedded database for psql: ${database.connectionString}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  ctx.logger.info(`${signal}: finishing in-flight requests, then stopping`);
  await server.close();
  await queries.close();
  await embedder.close();
}
