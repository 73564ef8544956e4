import type pg from 'pg';
import type { ReadRouter } from '../db/read-router.ts';
import client from 'prom-client';
import { OTHER_OPERATION } from '../graphql/operation-label.ts';
import type { Instrumentation } from '../search/instrumentation.ts';

export interface Metrics {
  readonly registry: client.Registry;
  readonly instrumentation: Instrumentation;
  /** `operation` is one of the labels given to createMetrics; anything else is counted as `other`. */
  observeRequest(operation: string, outcome: 'ok' | 'error', seconds: number): void;
}

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus metrics on a registry of our own (no global state shared with other code).
 * Requests are labelled from `operations`, a fixed set (the schema's root fields and
 * `other`), exported from the start so the series neither grow nor appear late.
 */
export function createMetrics(pool: pg.Pool, reads: ReadRouter | undefined, operations: readonly string[]): Metrics {
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
  if (reads && reads.replicaCount > 0) registerReadPoolMetrics(registry, reads);
  const labels = new Set([...operations, OTHER_OPERATION]);
  for (const operation of labels) {
    for (const outcome of ['ok', 'error']) requests.inc({ operation, outcome }, 0);
    duration.zero({ operation });
  }

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
    observeRequest(label, outcome, seconds) {
      const operation = labels.has(label) ? label : OTHER_OPERATION;
      requests.inc({ operation, outcome });
      duration.observe({ operation }, seconds);
    },
  };
}

/** Per read pool (primary, replica-1…): statements, failures, lag, and whether it is in rotation. */
function registerReadPoolMetrics(registry: client.Registry, reads: ReadRouter): void {
  new client.Counter({
    name: 'headline_search_read_pool_queries_total',
    help: 'Read statements answered, by pool (primary counts reads that found no replica in rotation or fell back)',
    labelNames: ['pool'],
    registers: [registry],
    collect: function () {
      this.reset();
      for (const p of reads.status()) this.inc({ pool: p.name }, p.queries);
    },
  });
  new client.Counter({
    name: 'headline_search_read_pool_errors_total',
    help: 'Read statements that failed, by pool (a replica failure is retried on the primary)',
    labelNames: ['pool'],
    registers: [registry],
    collect: function () {
      this.reset();
      for (const p of reads.status()) this.inc({ pool: p.name }, p.errors);
    },
  });
  new client.Gauge({
    name: 'headline_search_replica_lag_seconds',
    help: 'Last measured lag of each read replica behind the primary',
    labelNames: ['pool'],
    registers: [registry],
    collect: function () {
      this.reset();
      for (const p of reads.status()) if (p.name !== 'primary' && p.lagMs !== null) this.set({ pool: p.name }, p.lagMs / 1000);
    },
  });
  new client.Gauge({
    name: 'headline_search_read_pool_in_rotation',
    help: 'Whether a read pool takes reads: 1 in rotation, 0 down or behind; the primary is 1 when no replica is in rotation',
    labelNames: ['pool'],
    registers: [registry],
    collect: function () {
      const pools = reads.status();
      const replicasIn = pools.filter((p) => p.name !== 'primary' && p.state === 'ok').length;
      for (const p of pools) this.set({ pool: p.name }, p.name === 'primary' ? Number(replicasIn === 0) : Number(p.state === 'ok'));
    },
  });
}
