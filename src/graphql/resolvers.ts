import { DateScalar } from './date-scalar.ts';
import { toGlobalId } from './global-id.ts';
import { headlineKey } from './headline-key.ts';
import { selectsEdgeField } from './selects-edge-field.ts';
import type { Resolvers } from './generated/schema-types.ts';

/** An id argument as the service takes it: its stored key, or as sent, for the service to refuse by name. */
const keyOf = (id: string) => headlineKey(id, { legacy: true }) ?? id;
/** `node`/`nodes`: an id that names no headline is null, not an error (Relay refetches by any id it holds). */
const nodeKey = (id: string) => headlineKey(id, { legacy: false });

/** Thin: arguments in, service out. All logic lives in SearchService. */
export const resolvers: Resolvers = {
  Date: DateScalar,
  Query: {
    // Matched terms cost the database a text search per row: only when asked for.
    search: (_root, args, { search }, info) => search.search(args.query, { ...args, matchedTerms: selectsEdgeField(info, 'matchedTerms') }),
    similar: (_root, args, { search }) => search.similar(keyOf(args.id), args),
    timeline: (_root, args, { search }) => search.timeline(args.query, args),
    similarTimeline: (_root, args, { search }) => search.similarTimeline(keyOf(args.id), args),
    headline: (_root, { id }, { search }) => search.headline(keyOf(id)),
    node: async (_root, { id }, { search }) => (await search.headlines([nodeKey(id)]))[0] ?? null,
    nodes: (_root, { ids }, { search }) => search.headlines(ids.map(nodeKey)),
    suggest: (_root, { prefix, first }, { search }) => search.suggest(prefix, first),
    stats: (_root, _args, { search }) => search.stats(),
  },
  Node: {
    // Headline is the one type with a global id so far.
    __resolveType: () => 'Headline',
  },
  Headline: {
    id: (headline) => toGlobalId('Headline', headline.id),
  },
};
