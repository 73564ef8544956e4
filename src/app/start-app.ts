import { fileURLToPath } from 'node:url';
import type { Config } from '../config/parse-config.ts';
import { redactUrl } from '../config/parse-config.ts';
import { countHeadlines } from '../db/count-headlines.ts';
import { DEFAULT_HNSW_PARAMS } from '../db/hnsw-index.ts';
import { migrateToLatest } from '../db/migrations.ts';
import { formatSummary } from '../ingest/format-summary.ts';
import { DEFAULT_MAX_TEXT_LENGTH } from '../ingest/validate-record.ts';
import type { Logger } from '../logger.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { createApi, type Api } from './create-api.ts';
import { openApiDatabase } from './open-api-database.ts';
import { runIngest } from './run-ingest.ts';

/** The project's own demo corpus: a few hundred headlines, 2003–2021, many topics. */
const DEMO_CSV = fileURLToPath(new URL('../../data/demo-headlines.csv', import.meta.url));

export interface StartOptions {
  readonly serve: boolean;
  readonly port: number;
  /** Lines for the person who ran it: what was migrated and loaded. */
  readonly report: (line: string) => void;
  /** How the demo load shows its progress. */
  readonly progress: 'tty' | 'log' | 'quiet';
}

/**
 * `headlines start`: migrate, load the demo corpus into an empty database, then serve, all
 * on one open database (the embedded one starts once). Without `serve`, returns null once
 * loaded, with everything closed.
 */
export function startApp(config: Config, logger: Logger, options: StartOptions): Promise<Api | null> {
  return CleanupStack.build(async (stack) => {
    const database = await stack.open(() => openApiDatabase(config, logger), (d) => d.close());
    const applied = await migrateToLatest(database.db);
    options.report(`database: ${database.mode} (${redactUrl(database.connectionString)}); ${applied.length} migration(s) applied`);
    const stored = await countHeadlines(database.db);
    if (stored === 0) {
      options.report(`empty database: loading the demo headlines from ${DEMO_CSV}`);
      const summary = await runIngest(config, logger, database, {
        source: DEMO_CSV,
        maxTextLength: DEFAULT_MAX_TEXT_LENGTH,
        batchSize: 2000,
        hnsw: DEFAULT_HNSW_PARAMS,
        progress: options.progress,
      });
      for (const line of formatSummary(summary)) options.report(line);
    } else {
      options.report(`headlines stored: ${stored}`);
    }
    if (!options.serve) {
      await stack.close();
      return null;
    }
    const api = await stack.open(() => createApi(config, logger, { port: options.port, database }), (a) => a.close());
    return { ...api, close: () => stack.close() };
  });
}
