import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

/** pgvector values travel as text literals like '[1,2,3]'; see src/db/vector-literal.ts. */
export type VectorLiteral = string;

export interface HeadlinesTable {
  id: GeneratedAlways<string>;
  published_on: ColumnType<string, string, string>;
  text: string;
  text_hash: GeneratedAlways<Buffer>;
  embedding: VectorLiteral;
  embedding_reduced: VectorLiteral;
  created_at: Generated<Date>;
  /** to_tsvector('headline_words', text), for full-text queries; see migration 0006. */
  text_search: GeneratedAlways<string>;
}

/** Headlines per day, kept by triggers on headlines: the denominator of a timeline's share. */
export interface HeadlineDaysTable {
  published_on: ColumnType<string, string, string>;
  headlines: number;
}

export interface ProjectionTable {
  id: Generated<number>;
  model_id: string;
  kind: 'pca' | 'gaussian' | 'none';
  input_dimensions: number;
  dimensions: number;
  params: ColumnType<Record<string, unknown>, string, string>;
  mean: VectorLiteral | null;
  version: number;
  created_at: Generated<Date>;
}

export interface ProjectionBasisTable {
  component: number;
  direction: VectorLiteral;
}

export interface SearchQueriesTable {
  id: GeneratedAlways<string>;
  text: string;
  embedding: VectorLiteral | null;
  created_at: Generated<Date>;
  embedded_at: Date | null;
  error: string | null;
}

/** The corpus's words and adjacent word pairs with their headline counts, kept by triggers on headlines (migration 0012). */
export interface HeadlineTermsTable {
  term: string;
  /** 1: a word, 2: two adjacent words. */
  words: number;
  headlines: number;
}

export interface DB {
  headlines: HeadlinesTable;
  headline_days: HeadlineDaysTable;
  search_queries: SearchQueriesTable;
  projection: ProjectionTable;
  projection_basis: ProjectionBasisTable;
  headline_terms: HeadlineTermsTable;
}
