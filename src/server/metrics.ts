import type pg from 'pg';
import client from 'prom-client';
import type { Instrumentation } from '../search/instrumentation.ts';

export interface Metrics {
  readonly registry: client.Registry;
  readonly instrumentation: Instrumentation;
  observeRequest(operation: string, outcome: 'ok' | 'error', seconds: number): void;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Prometheus metrics on a registry of our own (no global state shared with other code). */
export function createMetrics(pool: pg.Pool): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({ name: 'headline_search_graphql_requests_total', help: 'GraphQL requests by operation and outcome', labelNames: ['operation', 'outcome'], registers: [registry] });
  const duration = new client.Histogram({ name: 'headline_search_graphql_request_duration_seconds', help: 'GraphQL request latency by operation', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const embedding = new client.Histogram({ name: 'headline_search_query_embedding_duration_seconds', help: 'Time to embed one search query (cache hits included)', buckets: LATENCY_BUCKETS, registers: [registry] });
  const database = new client.Histogram({ name: 'headline_search_database_duration_seconds', help: 'Database call latency by query', labelNames: ['query'], buckets: LATENCY_BUCKETS, registers: [registry] });
  new client.Gauge({
    name: 'headline_search_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  const timed = async <T>(end: () => void, work: () => Promise<T>) => {
    try {
      return await work();
    } finally {
      end();
    }
  };
  return {
    registry,
    instrumentation: {
      embedding: (work) => timed(embedding.startTimer(), work),
      database: (query, work) => timed(database.startTimer({ query }), work),
    },
    observeRequest(operation, outcome, seconds) {
      requests.inc({ operation, outcome });
      duration.observe({ operation }, seconds);
    },
  };
}
