/**
 * How `search` ranks: HYBRID fuses the keyword and vector rankings (hybrid_search),
 * SEMANTIC is the vector ranking alone (semantic_search), KEYWORD the text match alone
 * (keyword_search). The GraphQL schema, the CLI and search_by_query share this default.
 */
export const SEARCH_MODES = ['HYBRID', 'SEMANTIC', 'KEYWORD'] as const;

export type SearchMode = (typeof SEARCH_MODES)[number];

export const DEFAULT_SEARCH_MODE: SearchMode = 'HYBRID';
