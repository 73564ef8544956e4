import type { Kysely } from 'kysely';
import { asServiceError } from '../db/database-errors.ts';
import type { DB } from '../db/schema.ts';
import { loadProjection } from '../db/projection-repository.ts';
import { project } from '../projection/projection.ts';
import type { Projection } from '../shared/projection-types.ts';
import { searchByMode } from '../db/search-by-mode.ts';
import { correctedQuery } from '../db/corrected-query.ts';
import { suggestTerms } from '../db/suggest-terms.ts';
import { corpusStats } from '../db/corpus-stats.ts';
import { findHeadline } from '../db/find-headline.ts';
import { findHeadlines } from '../db/find-headlines.ts';
import { similarHeadlines } from '../db/similar-headlines.ts';
import { nearDuplicatePairs } from '../db/near-duplicate-pairs.ts';
import { semanticTimeline, similarTimeline } from '../db/timeline-repository.ts';
import type { QueryEmbedder } from '../embedding/query-embedder.ts';
import { AppError, ErrorCode, isAppError } from '../errors/app-error.ts';
import { decodeCursor, searchFingerprint, type CursorPosition } from './cursor.ts';
import { collapseRanking } from './collapse-ranking.ts';
import { groupsAfter, pageGroups, pageResults } from './page-results.ts';
import { noInstrumentation, type Instrumentation } from './instrumentation.ts';
import { DEFAULT_SEARCH_MODE, type SearchMode } from '../shared/search-mode.ts';
import type { CorpusStats, DateRange, HeadlineRow, ScoredHeadline, SearchPage } from '../shared/search-types.ts';
import type { TimelineBucket, TimelinePeriod } from '../shared/timeline-types.ts';
import type { Suggestion } from '../shared/suggestion.ts';
import { isHeadlineKey, MAX_DEPTH, validateFirst, validateId, validateNodeCount, validatePrefix, validateQuery, validateRange, validateSuggestFirst, validateTop } from './validate-search-input.ts';

export interface PageRequest {
  readonly mode?: SearchMode | null;
  readonly first?: number | null;
  readonly after?: string | null;
  readonly filter?: { readonly from?: string | null; readonly to?: string | null } | null;
  /** Fold near-duplicates into the edge of a better-ranked result. */
  readonly collapse?: boolean | null;
  /** Work out each edge's matchedTerms (the default); false leaves them empty. */
  readonly matchedTerms?: boolean;
}

export interface TimelineRequest {
  readonly bucket?: TimelineBucket | null;
  readonly top?: number | null;
  readonly filter?: PageRequest['filter'];
}

/** Full-vector cosine similarity at or above which `collapse` folds a result into a better one. */
const DEFAULT_COLLAPSE_SIMILARITY = 0.95;

export interface SearchServiceDeps {
  readonly db: Kysely<DB>;
  readonly embedder: QueryEmbedder;
  readonly modelId: string;
  readonly instrumentation?: Instrumentation;
  /** How stale reads may be (read replicas); none: reads are on the primary. */
  readonly replicaLagMs?: () => number | null;
  /** Called with each served query and its vector (LOG_QUERIES); must not throw. */
  readonly onQuery?: (text: string, embedding: Float32Array) => void;
  /** COLLAPSE_SIMILARITY; DEFAULT_COLLAPSE_SIMILARITY when omitted. */
  readonly collapseSimilarity?: number;
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
  /** The stored projection, read with the model check: each query is projected here, once. */
  private projection: Projection | null = null;

  constructor(private readonly deps: SearchServiceDeps) {
    this.instrumentation = deps.instrumentation ?? noInstrumentation;
  }

  async search(query: string, page: PageRequest): Promise<SearchPage> {
    const normalized = validateQuery(query);
    const mode = page.mode ?? DEFAULT_SEARCH_MODE;
    const { first, range } = this.pageArgs(page);
    // Semantic cursors keep the fingerprint they had before there were modes.
    const kind = mode === 'SEMANTIC' ? 'search' : `search:${mode.toLowerCase()}`;
    // A collapsed ranking is another ranking: its cursors carry the threshold that made it.
    const fingerprint = searchFingerprint(page.collapse ? `${kind}:collapse@${this.collapseSimilarity}` : kind, normalized, range);
    const after = page.after ? decodeCursor(page.after, fingerprint) : null;
    await this.checkModel();
    // Every mode embeds: edges carry the similarity, and keyword ties are broken by it.
    const embedding = await this.embed(normalized);
    this.deps.onQuery?.(query, embedding);
    const reduced = this.projection && mode !== 'KEYWORD' ? project(this.projection, embedding) : null;
    const ranking = (k: number) => this.db(`${mode.toLowerCase()}_search`, () => searchByMode(this.deps.db, mode, normalized, embedding, k, range, page.matchedTerms ?? true, reduced));
    // Only hybrid rankings correct misspellings (migration 0012).
    const corrected = mode === 'HYBRID' ? this.db('search_correction', () => correctedQuery(this.deps.db, normalized, range)) : Promise.resolve(null);
    const [result, correction] = await Promise.all([page.collapse ? this.collapsedPage(ranking, after, first, fingerprint) : ranking(this.depth(after, first)).then((rows) => pageResults(rows, after, first, fingerprint)), corrected]);
    return { ...result, correctedQuery: correction };
  }

  /** Completions of a prefix typed into a search box, most headlines first. */
  async suggest(prefix: string, first: number | null | undefined): Promise<Suggestion[]> {
    return this.db('suggest', () => suggestTerms(this.deps.db, validatePrefix(prefix), validateSuggestFirst(first)));
  }

  /** How a query's `top` best matches (by meaning) spread over time. */
  async timeline(query: string, request: TimelineRequest): Promise<TimelinePeriod[]> {
    const normalized = validateQuery(query);
    const { bucket, top, range } = this.timelineArgs(request);
    await this.checkModel();
    // Not recorded by onQuery: a timeline is a facet of a search, which records the query itself.
    const embedding = await this.embed(normalized);
    return this.db('semantic_timeline', () => semanticTimeline(this.deps.db, embedding, bucket, top, range));
  }

  /** The timeline of a stored headline's nearest neighbours. */
  async similarTimeline(id: string, request: TimelineRequest): Promise<TimelinePeriod[]> {
    validateId(id);
    const { bucket, top, range } = this.timelineArgs(request);
    await this.checkModel();
    const [exists, periods] = await Promise.all([
      this.db('find_headline', () => findHeadline(this.deps.db, id)),
      this.db('similar_timeline', () => similarTimeline(this.deps.db, id, bucket, top, range)),
    ]);
    if (!exists) throw new AppError(ErrorCode.NOT_FOUND, `No headline with id ${id}.`);
    return periods;
  }

  async similar(id: string, page: PageRequest): Promise<SearchPage> {
    validateId(id);
    const { first, range } = this.pageArgs(page);
    const fingerprint = searchFingerprint('similar', id, range);
    const after = page.after ? decodeCursor(page.after, fingerprint) : null;
    const k = this.depth(after, first);
    await this.checkModel();
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

  /**
   * The headlines with these keys, in the order asked: null where a key is null (an id that
   * names no headline) or nothing is stored under it. One statement for the whole list.
   */
  async headlines(keys: ReadonlyArray<string | null>): Promise<Array<HeadlineRow | null>> {
    validateNodeCount(keys.length);
    const wanted = [...new Set(keys.filter((k): k is string => k !== null && isHeadlineKey(k)))];
    const rows = wanted.length === 0 ? [] : await this.db('find_headlines', () => findHeadlines(this.deps.db, wanted));
    const byKey = new Map(rows.map((row) => [row.id, row]));
    return keys.map((key) => (key === null ? null : (byKey.get(key) ?? null)));
  }

  async stats(): Promise<CorpusStats> {
    const stats = await this.db('corpus_stats', () => corpusStats(this.deps.db));
    const lag = this.deps.replicaLagMs?.() ?? null;
    return { ...stats, model: stats.model ?? this.deps.modelId, replicaLagMs: lag === null ? null : Math.round(lag) };
  }

  private get collapseSimilarity(): number {
    return this.deps.collapseSimilarity ?? DEFAULT_COLLAPSE_SIMILARITY;
  }

  /**
   * A page of the collapsed ranking. Whether a row is an edge depends on every row above
   * it, so the collapse always runs from the top; the ranking is read deeper (doubling)
   * until the page and one more edge are known, or the ranking or MAX_DEPTH ends.
   */
  private async collapsedPage(ranking: (k: number) => Promise<ScoredHeadline[]>, after: CursorPosition | null, first: number, fingerprint: string): Promise<SearchPage> {
    if ((after?.rank ?? 0) >= MAX_DEPTH) throw new AppError(ErrorCode.BAD_USER_INPUT, `Paging reaches the first ${MAX_DEPTH} results only.`);
    let k = Math.min((after?.rank ?? 0) + 2 * first + 1, MAX_DEPTH);
    for (;;) {
      const rows = await ranking(k);
      const pairs = await this.db('near_duplicate_pairs', () => nearDuplicatePairs(this.deps.db, rows.map((r) => r.id), this.collapseSimilarity));
      const groups = collapseRanking(rows, pairs);
      const complete = rows.length < k || k >= MAX_DEPTH;
      if (complete || groupsAfter(groups, after).length > first) return pageGroups(groups, after, first, fingerprint);
      k = Math.min(k * 2, MAX_DEPTH);
    }
  }

  private timelineArgs(request: TimelineRequest): { bucket: TimelineBucket; top: number; range: DateRange } {
    return { bucket: request.bucket ?? 'YEAR', top: validateTop(request.top), range: validateRange(request.filter) };
  }

  /**
   * Why this server must not rank (the database was embedded with another model), or null;
   * for /readyz. Unknown (null) while the database cannot be asked: readiness says that itself.
   */
  async modelMismatch(): Promise<string | null> {
    try {
      await this.checkModel();
      return null;
    } catch (error) {
      if (isAppError(error, ErrorCode.PROJECTION_MISMATCH)) return error.message;
      return null;
    }
  }

  /**
   * A query vector from another model (float against int8, USE-lite against hash) would
   * rank by noise, so such a search or timeline is refused; checked once the database has
   * vectors. A server so misconfigured refuses every ranking, the ones over stored vectors
   * (similar, similarTimeline) too: it says it is not ready, and answers as it says.
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
    this.projection = stored.projection;
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

  /**
   * The query's vector. A model that failed to load is the operator's to fix: the client is
   * told so in a fixed sentence, and the reason goes to the log (and /readyz), not to it.
   */
  private async embed(normalized: string): Promise<Float32Array> {
    try {
      return await this.instrumentation.embedding(() => this.deps.embedder.embedQuery(normalized));
    } catch (error) {
      if (isAppError(error, ErrorCode.SERVICE_UNAVAILABLE)) throw new AppError(ErrorCode.MODEL_UNAVAILABLE, 'The query model is not available on this server; its operator has been told.', { cause: error });
      throw error;
    }
  }

  private async db<T>(query: string, work: () => Promise<T>): Promise<T> {
    try {
      return await this.instrumentation.database(query, work);
    } catch (error) {
      throw asServiceError(error);
    }
  }
}

