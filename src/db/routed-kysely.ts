import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { DB } from './schema.ts';

export type RunQuery = <R>(query: CompiledQuery) => Promise<QueryResult<R>>;

const NO_TRANSACTIONS = 'Routed reads run statement by statement, each on whichever database is chosen for it: open transactions on the primary.';

/**
 * A Kysely whose every statement goes through `run`, which picks the database for it. Code
 * handed this Kysely reads through the router without knowing there is one, so a read path
 * added later is routed like the others.
 */
export function createRoutedKysely(run: RunQuery): Kysely<DB> {
  const connection: DatabaseConnection = {
    executeQuery: (query) => run(query),
    async *streamQuery() {
      throw new Error('Routed reads do not stream; stream from the primary.');
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: () => Promise.reject(new Error(NO_TRANSACTIONS)),
    commitTransaction: () => Promise.reject(new Error(NO_TRANSACTIONS)),
    rollbackTransaction: () => Promise.reject(new Error(NO_TRANSACTIONS)),
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createQueryCompiler: () => new PostgresQueryCompiler(),
      createIntrospector: (db) => new PostgresIntrospector(db),
    },
  });
}
