import { GraphQLError, Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { cursorRank } from '../search/cursor.ts';
import { MAX_DEPTH, MAX_FIRST, MAX_NODES, MAX_TIMELINE_TOP } from '../search/validate-search-input.ts';
import { apiSchema } from './api-schema.ts';

/**
 * The cost rules, one constant each; docs/api-limits.md is their table. A unit is about one
 * result row ranked and returned; rows ranked only to be skipped or counted cost less.
 */
export const COST = Object.freeze({
  /** The query embedding (or stored-vector lookup) and the index probe behind every ranking. */
  ranking: 10,
  /** Rows of an `after` cursor's depth per unit: each page re-ranks from the top to its depth. */
  skippedRowsPerUnit: 10,
  /** `collapse: true`: the ranking read as deep as MAX_DEPTH at worst, its rows compared pairwise. */
  collapse: 200,
  /** Timelines rank their `top` matches and count them; the work grows faster than `top`, so `top` is charged squared over this. */
  timelineTopSquaredPerUnit: 50_000,
  /** `bucket: DAY`: a period per day of the corpus (thousands), each with its best headline. */
  dayBuckets: 50,
  stats: 10,
  /** `headline` and `node`: one row by key; `nodes` pays it per id. */
  headline: 1,
  /** Completions are an index range on the word list, never a ranking: a search box sends one per pause in typing. */
  suggest: 2,
});

/** Fragment expansion past this many fields is refused as over budget (the library's own guard). */
const MAX_EVALUATED_NODES = 10_000;

const clamp = (value: unknown, min: number, max: number, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value), min), max) : fallback);

/** Cost of one root field from its coerced arguments (schema defaults applied); other fields cost nothing. */
const rootFieldEstimator: ComplexityEstimator = ({ type, field, args }) => {
  if (type.name !== 'Query') return undefined;
  switch (field.name) {
    case 'search':
    case 'similar': {
      const first = clamp(args.first, 1, MAX_FIRST, 10);
      if (args.collapse === true) return COST.ranking + first + COST.collapse;
      const rank = typeof args.after === 'string' ? Math.min(cursorRank(args.after) ?? 0, MAX_DEPTH) : 0;
      return COST.ranking + first + Math.ceil(rank / COST.skippedRowsPerUnit);
    }
    case 'timeline':
    case 'similarTimeline': {
      // An explicit null is the service's default, 1000.
      const top = clamp(args.top, 1, MAX_TIMELINE_TOP, 1000);
      return COST.ranking + Math.ceil(top ** 2 / COST.timelineTopSquaredPerUnit) + (args.bucket === 'DAY' ? COST.dayBuckets : 0);
    }
    case 'stats':
      return COST.stats;
    case 'headline':
    case 'node':
      return COST.headline;
    case 'nodes':
      // A list past MAX_NODES is refused by the service; it is charged as the longest accepted.
      return COST.headline * Math.min(Array.isArray(args.ids) ? args.ids.length : 1, MAX_NODES);
    case 'suggest':
      return COST.suggest;
    default:
      return undefined;
  }
};

const estimators = [rootFieldEstimator, simpleEstimator({ defaultComplexity: 0 })];

/**
 * The work `operation` asks for, by graphql-query-complexity over the schema with the
 * arguments as they will run (variables, schema defaults). Infinity when its fragments
 * expand past the node guard. 0 when its variables or arguments do not coerce: Apollo then
 * refuses it before any resolver runs.
 */
export function operationCost(document: DocumentNode, operation: OperationDefinitionNode, variables?: Readonly<Record<string, unknown>> | null): number {
  // Only the operation that would run (the library would add up every operation in the document).
  const query: DocumentNode = { kind: Kind.DOCUMENT, definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION) };
  try {
    return getComplexity({ schema: apiSchema().schema, query, variables: { ...variables }, estimators, maxQueryNodes: MAX_EVALUATED_NODES });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    return 0;
  }
}
