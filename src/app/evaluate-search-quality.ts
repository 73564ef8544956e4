import type { Config } from '../config/parse-config.ts';
import { countHeadlines } from '../db/count-headlines.ts';
import type { DatabaseMode } from '../db/open-database.ts';
import { withSearchSettings } from '../db/with-search-settings.ts';
import { configuredModelId, createEmbedder } from '../embedding/create-embedder.ts';
import { createQueryEmbedder } from '../embedding/query-embedder.ts';
import { evaluateSearch, PRECISION_AT, type PrecisionRow } from '../eval/evaluate-search.ts';
import { readQuerySet, type QuerySet } from '../eval/read-query-set.ts';
import type { Logger } from '../logger.ts';
import { SearchService } from '../search/search-service.ts';
import type { SearchMode } from '../shared/search-mode.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { resolveEmbedModel } from './resolve-embed-model.ts';
import { openMigratedDatabase } from './with-database.ts';

export interface SearchQualityRequest {
  readonly files: readonly string[];
  readonly modes: readonly SearchMode[];
  readonly split: PrecisionRow['split'];
  /** Fusion settings to compare for HYBRID, one run each ([{}]: the database's own). */
  readonly hybridSettings: ReadonlyArray<Record<string, string>>;
}

export interface SearchQuality {
  readonly headlines: number;
  readonly databaseMode: DatabaseMode;
  readonly sets: readonly QuerySet[];
  /** Every mode but HYBRID, which does not depend on the fusion settings. */
  readonly fixed: PrecisionRow[];
  readonly hybrid: Array<{ settings: Record<string, string>; rows: PrecisionRow[] }>;
}

/** `headlines eval search`: precision@10 of each mode on labelled query sets, through the API's own search. */
export async function evaluateSearchQuality(environment: Config, logger: Logger, request: SearchQualityRequest): Promise<SearchQuality> {
  const stack = new CleanupStack();
  try {
    const database = await stack.open(() => openMigratedDatabase(environment, logger), (d) => d.close());
    const config = await resolveEmbedModel(environment, database.db);
    const sets = await Promise.all(request.files.map((f) => readQuerySet(f)));
    const embedder = await stack.open(async () => createQueryEmbedder(await createEmbedder(config, logger, 'query'), { cacheSize: 10_000 }), (e) => e.close());
    const runWith = (settings: Record<string, string>) => (query: string, mode: SearchMode) =>
      withSearchSettings(database.db, settings, async (db) => {
        const page = await new SearchService({ db, embedder, modelId: configuredModelId(config) }).search(query, { mode, first: PRECISION_AT });
        return page.edges.map((e) => e.node.text);
      });
    const fixed = await evaluateSearch(sets, request.modes.filter((m) => m !== 'HYBRID'), request.split, runWith({}));
    const hybrid: SearchQuality['hybrid'] = [];
    if (request.modes.includes('HYBRID')) {
      for (const settings of request.hybridSettings) hybrid.push({ settings, rows: await evaluateSearch(sets, ['HYBRID'], request.split, runWith(settings)) });
    }
    return { headlines: await countHeadlines(database.db), databaseMode: database.mode, sets, fixed, hybrid };
  } finally {
    await stack.close();
  }
}
