import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';

const DEFAULT_QUERY = `# Headlines by meaning and by words; the schema is in the Docs pane.
query {
  search(query: "drought hits farmers", first: 5) {
    edges { similarity matchedTerms node { id text publishedOn } }
    pageInfo { hasNextPage endCursor }
  }
}
`;

/** The same server's /graphql; nothing is loaded from anywhere else. */
async function fetcher(params: unknown) {
  const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return response.json();
}

createRoot(document.getElementById('graphiql')!).render(<GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} />);
