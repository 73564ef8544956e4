import type http from 'node:http';
import type { ApolloServerOptions } from '@apollo/server';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import client from 'prom-client';
import type { Config } from '../config/parse-config.ts';
import type { GraphqlContext } from '../graphql/graphql-context.ts';
import type { Logger } from '../logger.ts';
import { boundedDocumentStore } from './bounded-document-store.ts';
import { ConcurrencyGuard } from './concurrency-guard.ts';
import { corsMiddleware } from './cors-middleware.ts';
import { countBodyErrors } from './count-body-errors.ts';
import { handleClientErrors } from './handle-client-errors.ts';
import { operationLimitsMiddleware } from './operation-limits-middleware.ts';
import { PersistedQueryStore } from './persisted-query-store.ts';
import { rateLimitMiddleware } from './rate-limit-middleware.ts';
import { createRejections } from './rejections.ts';
import { requestLogger } from './request-logger.ts';

const DOCUMENT_STORE_BYTES = 8 * 2 ** 20;
/** Registered persisted-query texts (each passed the limits); the least recently used go first. */
const PERSISTED_QUERY_BYTES = 4 * 2 ** 20;

/** The part of the configuration that shapes how the API faces its clients. */
export type ApiSettings = Pick<
  Config,
  'nodeEnv' | 'production' | 'logFormat' | 'logQueryText' | 'graphqlIntrospection' | 'operationLimits' | 'rateLimit' | 'concurrency' | 'trustProxy' | 'corsOrigins' | 'requestTimeoutMs'
>;

export interface ApiProtection {
  readonly serverOptions: http.ServerOptions;
  readonly apolloOptions: Pick<
    ApolloServerOptions<GraphqlContext>,
    'nodeEnv' | 'introspection' | 'hideSchemaDetailsFromClientErrors' | 'csrfPrevention' | 'allowBatchedHttpRequests' | 'persistedQueries' | 'documentStore'
  >;
  /** /graphql handlers before the body is read: request log, CORS, rate limit. */
  readonly beforeBody: RequestHandler[];
  /** /graphql handlers after the body is read: the operation limits (persisted queries resolved). */
  readonly afterBody: RequestHandler[];
  /** Runs the GraphQL handler inside a concurrency slot, held until its execution ends. */
  guarded(handler: RequestHandler): RequestHandler;
  /** Goes just before the JSON error responder. */
  readonly countErrors: ErrorRequestHandler;
  readonly guard: ConcurrencyGuard;
  attach(app: Express, server: http.Server): void;
}

/**
 * Everything that keeps the public API standing under abuse, in the order a request
 * meets it: Node's timeouts for slow senders; CORS; the per-client rate limit; the 64 kB
 * body limit; operation limits (before Apollo parses; a persisted query's hash resolved to
 * its document first); the concurrency guard (before execution). Each refusal is cheap,
 * coded, logged and counted by reason.
 */
export function createApiProtection(settings: ApiSettings, registry: client.Registry, logger: Logger): ApiProtection {
  const rejections = createRejections(registry);
  const persistedQueries = new PersistedQueryStore(PERSISTED_QUERY_BYTES);
  const guard = new ConcurrencyGuard(settings.concurrency);
  new client.Gauge({
    name: 'headline_search_operations',
    help: 'GraphQL operations executing and waiting for a slot (MAX_CONCURRENT_OPERATIONS)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'in_flight' }, guard.inFlight);
      this.set({ state: 'queued' }, guard.queued);
    },
  });
  return {
    serverOptions: {
      requestTimeout: settings.requestTimeoutMs,
      headersTimeout: settings.requestTimeoutMs,
      // Node checks these timeouts on this interval (30 s by default), which would let slow senders stay far longer.
      connectionsCheckingInterval: Math.min(1000, settings.requestTimeoutMs),
    },
    apolloOptions: {
      // Passed rather than read by Apollo from process.env: production comes from our config.
      nodeEnv: settings.nodeEnv,
      introspection: settings.graphqlIntrospection,
      hideSchemaDetailsFromClientErrors: settings.production,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      // A hash-only request is measured as the document its hash resolves to (operationLimitsMiddleware).
      persistedQueries: { cache: persistedQueries.apolloCache },
      documentStore: boundedDocumentStore(DOCUMENT_STORE_BYTES),
    },
    beforeBody: [
      requestLogger(logger, { atInfo: settings.logFormat === 'json', includeQueryText: settings.logQueryText }),
      corsMiddleware(settings.corsOrigins),
      ...(settings.rateLimit.perMinute > 0 ? [rateLimitMiddleware(settings.rateLimit, rejections)] : []),
    ],
    afterBody: [operationLimitsMiddleware(settings.operationLimits, rejections, persistedQueries)],
    guarded: (handler) => guard.guard(rejections, handler),
    countErrors: countBodyErrors(rejections),
    guard,
    attach(app, server) {
      app.set('trust proxy', settings.trustProxy);
      handleClientErrors(server, rejections, logger);
    },
  };
}
