/** A row of semantic_search / similar_headlines / search_by_query as pg returns it. */
export interface SearchRow {
  id: string;
  published_on: string;
  text: string;
  similarity: number;
  rank: number;
}
