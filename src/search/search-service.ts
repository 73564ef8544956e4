import type { Kysely } from 'kysely';
import { asServiceError } from '../db/database-errors.ts';
import type { DB } from '../db/schema.ts';
import { loadProjection } from '../db/projection-repository.ts';
import { searchByMode } from '../db/search-by-mode.ts';
import { corpusStats, findHeadline, similarHeadlines } from '../db/search-repository.ts';
import type { QueryEmbedder } from '../embedding/query-embedder.ts';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { decodeCursor, searchFingerprint, type CursorPosition } from './cursor.ts';
import { pageResults } from './page-results.ts';
import { noInstrumentation, type Instrumentation } from './instrumentation.ts';
import { DEFAULT_SEARCH_MODE, type SearchMode } from '../shared/search-mode.ts';
import type { CorpusStats, DateRange, HeadlineRow, SearchPage } from '../shared/search-types.ts';
import { MAX_DEPTH, validateFirst, validateId, validateQuery, validateRange } from './validate-search-input.ts';

export interface PageRequest {
  readonly mode?: SearchMode | null;
  readonly first?: number | null;
  readonly after?: string | null;
  readonly filter?: { readonly from?: string | null; readonly to?: string | null } | null;
}

export interface SearchServiceDeps {
  readonly db: Kysely<DB>;
  readonly embedder: QueryEmbedder;
  readonly modelId: string;
  readonly instrumentation?: Instrumentation;
  /** Called with each served query and its vector (LOG_QUERIES); must not throw. */
  readonly onQuery?: (text: string, embedding: Float32Array) => void;
}

/**
 * Search with stable cursor paging. Every page re-runs the ranking up to the cursor's
 * depth plus one page (plus one row to learn whether more exist), so concatenated pages
 * equal one large query: same function, same order, ties broken by id.
 */
export class SearchService {
  private readonly instrumentation: Instrumentation;
  /** Set once the stored vectors are known to come from this program's model. */
  private modelMatches = false;

  constructor(private readonly deps: SearchServiceDeps) {
    this.instrumentation = deps.instrumentation ?? noInstrumentation;
  }

  async search(query: string, page: PageRequest): Promise<SearchPage> {
    const normalized = validateQuery(query);
    const mode = page.mode ?? DEFAULT_SEARCH_MODE;
    const { first, range } = this.pageArgs(page);
    // Semantic cursors keep the fingerprint they had before there were modes.
    const fingerprint = searchFingerprint(mode === 'SEMANTIC' ? 'search' : `search:${mode.toLowerCase()}`, normalized, range);
    const after = page.after ? decodeCursor(page.after, fingerprint) : null;
    await this.checkModel();
    // Every mode embeds: edges carry the similarity, and keyword ties are broken by it.
    const embedding = await this.instrumentation.embedding(() => this.deps.embedder.embedQuery(normalized));
    this.deps.onQuery?.(query, embedding);
    const k = this.depth(after, first);
    const rows = await this.db(`${mode.toLowerCase()}_search`, () => searchByMode(this.deps.db, mode, normalized, embedding, k, range));
    return pageResults(rows, after, first, fingerprint);
  }

  async similar(id: string, page: PageRequest): Promise<SearchPage> {
    validateId(id);
    const { first, range } = this.pageArgs(page);
    const fingerprint = searchFingerprint('similar', id, range);
    const after = page.after ? decodeCursor(page.after, fingerprint) : null;
    const k = this.depth(after, first);
    const [exists, rows] = await Promise.all([
      this.db('find_headline', () => findHeadline(this.deps.db, id)),
      this.db('similar_headlines', () => similarHeadlines(this.deps.db, id, k, range)),
    ]);
    if (!exists) throw new AppError(ErrorCode.NOT_FOUND, `No headline with id ${id}.`);
    return pageResults(rows, after, first, fingerprint);
  }

  async headline(id: string): Promise<HeadlineRow | null> {
    validateId(id);
    return this.db('find_headline', () => findHeadline(this.deps.db, id));
  }

  async stats(): Promise<CorpusStats> {
    const stats = await this.db('corpus_stats', () => corpusStats(this.deps.db));
    return { ...stats, model: stats.model ?? this.deps.modelId };
  }

  /**
   * A query vector from another model (float against int8, USE-lite against hash) would
   * rank by noise, so such a search is refused; checked once the database has vectors.
   */
  private async checkModel(): Promise<void> {
    if (this.modelMatches) return;
    const stored = await this.db('load_projection', () => loadProjection(this.deps.db));
    if (!stored) return;
    if (stored.modelId !== this.deps.modelId) {
      throw new AppError(
        ErrorCode.PROJECTION_MISMATCH,
        `Model mismatch: the database was embedded with model ${stored.modelId}, this program uses ${this.deps.modelId}. Set EMBED_MODEL to the database's model.`,
      );
    }
    this.modelMatches = true;
  }

  private pageArgs(page: PageRequest): { first: number; range: DateRange } {
    return { first: validateFirst(page.first), range: validateRange(page.filter) };
  }

  private depth(after: CursorPosition | null, first: number): number {
    const offset = after?.rank ?? 0;
    if (offset >= MAX_DEPTH) throw new AppError(ErrorCode.BAD_USER_INPUT, `Paging reaches the first ${MAX_DEPTH} results only.`);
    return Math.min(offset + first, MAX_DEPTH) + 1;
  }

  private async db<T>(query: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.instrumentation.database(query, work);
    } catch (error) {
      throw asServiceError(error);
    }
  }
}

