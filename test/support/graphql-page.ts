/** A search edge as the GraphQL suites select it (optional fields when a suite asks for them). */
export interface GraphqlEdge {
  cursor: string;
  similarity: number;
  node: { id: string; text: string; publishedOn: string };
  duplicates?: Array<{ id: string; text: string; publishedOn: string }>;
}

export interface GraphqlPage {
  edges: GraphqlEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null; hasPreviousPage?: boolean; startCursor?: string | null };
}
