import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { AppError, ErrorCode } from '../../errors/app-error.ts';
import type { Logger } from '../../logger.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { SessionScheduler } from './session-scheduler.ts';

export interface EmbeddedPostgres {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres, for pg.Pool and for psql alike. */
  readonly connectionString: string;
  /** The PGlite API itself, with the session to ourselves (for bulk paths the wire lacks). */
  exclusive<T>(task: (db: PGlite) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly maxConnections?: number;
  readonly logger: Logger;
}

const HOST = '127.0.0.1';

/**
 * Opens PGlite (with pgvector, and pg_trgm for the typo-tolerant word list) on DATA_DIR/pglite and serves it over the Postgres wire
 * protocol on loopback, so the application, migrations and psql all use the same
 * pg + Kysely path as against a real server.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.join(options.dataDir, 'pglite');
  const lock = acquireDataDirLock(options.dataDir);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ dataDir, extensions: { vector, pg_trgm } });
    const scheduler = new SessionScheduler(db);
    const maxConnections = options.maxConnections ?? 32;
    const handlers = new Set<PGLiteSocketHandler>();

    const server = net.createServer((socket) => {
      if (handlers.size >= maxConnections) {
        socket.end();
        return;
      }
      const handler = new PGLiteSocketHandler({
        // The handler only calls the queue's public methods, which SessionScheduler provides.
        queryQueue: scheduler as unknown as PGLiteSocketHandlerOptions['queryQueue'],
        closeOnDetach: true,
      });
      handlers.add(handler);
      const forget = () => handlers.delete(handler);
      handler.addEventListener('close', forget);
      handler.addEventListener('error', forget);
      handler.attach(socket).catch(() => {
        forget();
        socket.destroy();
      });
    });
    const port = await listen(server, options.port);
    options.logger.debug(`embedded PostgreSQL (PGlite) on ${HOST}:${port}, data in ${dataDir}`);

    const opened = db;
    return {
      dataDir,
      host: HOST,
      port,
      connectionString: `postgres://postgres@${HOST}:${port}/postgres`,
      exclusive: (task) => scheduler.exclusive(() => task(opened)),
      close: async () => {
        await Promise.all([...handlers].map((h) => h.detach(true)));
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await opened.close();
        lock.release();
      },
    };
  } catch (error) {
    await db?.close().catch(() => undefined);
    lock.release();
    throw error;
  }
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new AppError(ErrorCode.DATABASE_IN_USE, `Port ${port} on ${HOST} is taken; set EMBEDDED_DB_PORT to a free port.`)
          : error,
      );
    });
    server.listen(port, HOST, () => resolve((server.address() as net.AddressInfo).port));
  });
}
