import { DateScalar } from './date-scalar.ts';
import { selectsEdgeField } from './selects-edge-field.ts';
import type { Resolvers } from './generated/schema-types.ts';

/** Thin: arguments in, service out. All logic lives in SearchService. */
export const resolvers: Resolvers = {
  Date: DateScalar,
  Query: {
    // Matched terms cost the database a text search per row: only when asked for.
    search: (_root, args, { search }, info) => search.search(args.query, { ...args, matchedTerms: selectsEdgeField(info, 'matchedTerms') }),
    similar: (_root, args, { search }) => search.similar(args.id, args),
    timeline: (_root, args, { search }) => search.timeline(args.query, args),
    similarTimeline: (_root, args, { search }) => search.similarTimeline(args.id, args),
    headline: (_root, { id }, { search }) => search.headline(id),
    suggest: (_root, { prefix, first }, { search }) => search.suggest(prefix, first),
    stats: (_root, _args, { search }) => search.stats(),
  },
};
