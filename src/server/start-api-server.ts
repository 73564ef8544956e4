import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import compression from 'compression';
import express from 'express';
import { parseConfig, type Config } from '../config/parse-config.ts';
import type { Database } from '../db/open-database.ts';
import type { ReadRouter } from '../db/read-router.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import type { QueryEmbedder } from '../embedding/query-embedder.ts';
import { apiSchema } from '../graphql/api-schema.ts';
import { createFormatError } from '../graphql/format-error.ts';
import type { GraphqlContext } from '../graphql/graphql-context.ts';
import { operationLabel } from '../graphql/operation-label.ts';
import { resolvers } from '../graphql/resolvers.ts';
import type { Logger } from '../logger.ts';
import { SearchService } from '../search/search-service.ts';
import { createApiProtection, type ApiSettings } from './api-protection.ts';
import { cachePolicyPlugins } from './cache-policy-plugins.ts';
import { cancelOnHangUp } from './cancel-on-hang-up.ts';
import { jsonErrors } from './json-errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createReadinessProbe } from './readiness-probe.ts';
import { requestIdContext } from './request-id-context.ts';
import { sharedCacheDefaults } from './shared-cache-defaults.ts';
import { mountWebPages } from './web-pages.ts';

const BODY_LIMIT = '64kb';
/** Smaller answers (a health check, a short error) go as they are: compressing them would save less than it costs. */
const COMPRESSION_THRESHOLD = '1kb';

export interface ApiServerDeps {
  readonly database: Database;
  /** Where searches, lookups and stats read; the primary (`database`) when omitted. */
  readonly reads?: ReadRouter;
  readonly embedder: QueryEmbedder;
  readonly modelId: string;
  readonly logger: Logger;
  readonly port: number;
  readonly onQuery?: (text: string, embedding: Float32Array) => void;
  /** Limits, CORS, production mode, collapse threshold, IDE; the defaults of an empty environment when omitted. */
  readonly settings?: ServerSettings;
}

export type ServerSettings = ApiSettings & Pick<Config, 'collapseSimilarity' | 'graphqlIde' | 'cacheMaxAge'>;

export interface ApiServer {
  readonly url: string;
  readonly port: number;
  readonly search: SearchService;
  /** For in-process execution (tests): `apollo.executeOperation(request, { contextValue })`. */
  readonly apollo: ApolloServer<GraphqlContext>;
  readonly contextValue: GraphqlContext;
  /** Operations executing and queued (tests, benchmarks). */
  readonly guard: { readonly inFlight: number; readonly queued: number };
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/** Apollo Server on Express: /graphql, /healthz, /readyz, /metrics, and the search page at /. */
export async function startApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  const app = express();
  const settings = deps.settings ?? parseConfig({});
  const schema = apiSchema();
  const metrics = createMetrics(deps.database.pool, deps.reads, schema.rootFields);
  const protection = createApiProtection(settings, metrics.registry, deps.logger);
  const httpServer = http.createServer(protection.serverOptions, app);
  const search = new SearchService({ db: deps.reads?.db ?? deps.database.db, replicaLagMs: deps.reads?.replicaCount ? () => deps.reads!.replicaLagMs() : undefined, embedder: deps.embedder, modelId: deps.modelId, instrumentation: metrics.instrumentation, onQuery: deps.onQuery, collapseSimilarity: settings.collapseSimilarity });
  const apollo = new ApolloServer<GraphqlContext>({
    typeDefs: schema.sdl,
    resolvers,
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (serve-command): drain, then close the embedder and the database.
    stopOnTerminationSignals: false,
    formatError: createFormatError((error) => deps.logger.error(`unexpected error: ${describeError(error)}`, { reqId: requestIdContext.current() }), { hideSchemaDetails: settings.production }),
    // Apollo's own landing page loads its sandbox from a CDN: only on request (GRAPHQL_IDE=apollo).
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...cachePolicyPlugins(settings.cacheMaxAge), metricsPlugin(metrics, new Set(schema.rootFields)), ...(settings.graphqlIde === 'apollo' ? [] : [ApolloServerPluginLandingPageDisabled()])],
    ...protection.apolloOptions,
  });
  await apollo.start();

  app.disable('x-powered-by');
  protection.attach(app, httpServer);
  // gzip or br as the client accepts (Vary: Accept-Encoding), for every route.
  app.use(compression({ threshold: COMPRESSION_THRESHOLD }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const readinessProbe = createReadinessProbe(deps.database, () => deps.embedder.model, deps.logger, { reads: deps.reads, modelMismatch: () => search.modelMismatch() });
  app.get('/readyz', async (_req, res) => {
    const readiness = await readinessProbe();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  mountWebPages(app, settings.graphqlIde);
  app.use('/graphql', sharedCacheDefaults, ...protection.beforeBody, express.json({ limit: BODY_LIMIT }), ...protection.afterBody, requestIdContext.middleware, protection.guarded(cancelOnHangUp(expressMiddleware(apollo, { context: async () => ({ search }) }))));
  app.use(protection.countErrors);
  app.use(jsonErrors(deps.logger, BODY_LIMIT));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(deps.port, () => resolve());
    });
  } catch (error) {
    await apollo.stop();
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new AppError(ErrorCode.CONFIG_INVALID, `Port ${deps.port} is already in use; set PORT or pass --port (0 picks a free port).`, { cause: error });
    }
    throw error;
  }
  const port = (httpServer.address() as AddressInfo).port;
  deps.logger.info(`GraphQL API on http://localhost:${port}/graphql`);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    search,
    apollo,
    contextValue: { search },
    guard: protection.guard,
    close: () => apollo.stop(),
  };
}

/** Requests by root field (a fixed set), never by the operation name the client wrote. */
function metricsPlugin(metrics: Metrics, rootFields: ReadonlySet<string>): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, errors }) {
          metrics.observeRequest(operationLabel(operation, rootFields), errors && errors.length > 0 ? 'error' : 'ok', (performance.now() - started) / 1000);
        },
      };
    },
  };
}
