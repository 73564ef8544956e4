/** A stored headline as the search layer hands it out (ids are int8, kept as strings). */
export interface HeadlineRow {
  readonly id: string;
  readonly publishedOn: string; // YYYY-MM-DD
  readonly text: string;
}

export interface ScoredHeadline extends HeadlineRow {
  /** Cosine similarity of the full 512-d embeddings. */
  readonly similarity: number;
  /** 1-based position in the ranking. */
  readonly rank: number;
  /** What the ranking sorts by (descending): the similarity in semantic searches. */
  readonly score: number;
  /** Query words that occur in the headline; empty when there is no query text. */
  readonly matchedTerms: string[];
}

/** Inclusive; null means open-ended. */
export interface DateRange {
  readonly from: string | null;
  readonly to: string | null;
}

export interface SearchEdge {
  readonly cursor: string;
  readonly node: HeadlineRow;
  readonly similarity: number;
  readonly score: number;
  readonly matchedTerms: string[];
  /** Near-duplicates folded into this edge (search with collapse); empty otherwise. */
  readonly duplicates: HeadlineRow[];
}

/** Relay's PageInfo; cursors are null on an empty page. */
export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

export interface SearchPage {
  readonly edges: SearchEdge[];
  readonly pageInfo: PageInfo;
  /** The corrected query when hybrid search corrected misspelled words; null or absent otherwise. */
  readonly correctedQuery?: string | null;
}

export interface CorpusStats {
  readonly headlines: number;
  readonly earliest: string | null;
  readonly latest: string | null;
  readonly model: string;
  readonly projection: string;
  readonly dimensions: number;
  /** How far behind the primary the replicas serving reads are, at most; null when reads are on the primary. */
  readonly replicaLagMs: number | null;
}
