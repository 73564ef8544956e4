import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { MAX_FIRST } from '../search/validate-search-input.ts';

export interface OperationMeasures {
  /** The operation that would run: its name, else its first root field (as in the metrics). */
  readonly label: string;
  /** Field selections written anywhere in the document: what validation has to work through. */
  readonly fields: number;
  /** Deepest field nesting of the operation, fragments expanded; introspection (__schema, __type) not counted. */
  readonly depth: number;
  /** Aliased fields of the operation, fragments expanded. */
  readonly aliases: number;
  /** Work the operation asks for; see ROOT_FIELD_COST. */
  readonly cost: number;
}

/**
 * Cost of each root field: `search` and `similar` also count the rows they ask for
 * (`first`); the fixed part stands for the query embedding and the vector search behind
 * them, or the table scan behind `stats`; a timeline reads a deeper ranking (`top`). Introspection and __typename cost nothing.
 */
export const ROOT_FIELD_COST: Readonly<Record<string, number>> = Object.freeze({ search: 10, similar: 10, timeline: 30, similarTimeline: 30, stats: 10, headline: 1 });
const COUNTS_ROWS = new Set(['search', 'similar']);
const DEFAULT_FIRST = 10;

interface Tally {
  depth: number;
  aliases: number;
  cost: number;
}

/**
 * Measures a parsed but not yet validated document, so it must cope with anything a
 * client sends: unknown fragments are skipped, fragment cycles are cut, and each fragment
 * is measured once (a fragment spread many times cannot make this slow).
 */
export function measureOperation(document: DocumentNode, operationName?: string | null, variables?: Readonly<Record<string, unknown>> | null): OperationMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  let fields = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
    if ('selectionSet' in definition && definition.selectionSet) fields += countFields(definition.selectionSet);
  }
  // As Apollo picks it; none when ambiguous or unknown, and then nothing will run.
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return { label: operationName ?? 'unknown', fields, depth: 0, aliases: 0, cost: 0 };

  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  const first = (field: FieldNode): number => {
    const argument = field.arguments?.find((a) => a.name.value === 'first');
    if (!argument) return DEFAULT_FIRST;
    let value: unknown = literal(argument.value);
    if (argument.value.kind === Kind.VARIABLE) {
      const name = argument.value.name.value;
      value = variables && name in variables ? variables[name] : defaults.has(name) ? literal(defaults.get(name)!) : null;
    }
    if (value === null || value === undefined) return DEFAULT_FIRST;
    // Anything else the service would refuse before doing work; count it at the maximum.
    return typeof value === 'number' && Number.isInteger(value) ? Math.min(Math.max(value, 1), MAX_FIRST) : MAX_FIRST;
  };

  const memo = new Map<string, Tally>();
  const expanding = new Set<string>();
  const walk = (set: SelectionSetNode, root: boolean, introspection: boolean): Tally => {
    const tally: Tally = { depth: 0, aliases: 0, cost: 0 };
    const add = (inner: Tally) => {
      tally.depth = Math.max(tally.depth, inner.depth);
      tally.aliases += inner.aliases;
      tally.cost += inner.cost;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inIntrospection = introspection || name === '__schema' || name === '__type';
        if (selection.alias) tally.aliases++;
        const inner = selection.selectionSet ? walk(selection.selectionSet, false, inIntrospection) : { depth: 0, aliases: 0, cost: 0 };
        tally.aliases += inner.aliases;
        if (!inIntrospection) tally.depth = Math.max(tally.depth, inner.depth + 1);
        if (root) tally.cost += (ROOT_FIELD_COST[name] ?? 0) + (COUNTS_ROWS.has(name) ? first(selection) : 0);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walk(selection.selectionSet, root, introspection));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || expanding.has(name)) continue;
        const key = `${name}|${root}|${introspection}`;
        let inner = memo.get(key);
        if (!inner) {
          expanding.add(name);
          inner = walk(fragment.selectionSet, root, introspection);
          expanding.delete(name);
          memo.set(key, inner);
        }
        add(inner);
      }
    }
    return tally;
  };
  const tally = walk(operation.selectionSet, true, false);
  const firstField = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  return { label: operation.name?.value ?? firstField?.name.value ?? 'unknown', fields, ...tally };
}

function countFields(set: SelectionSetNode): number {
  let n = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) n++;
    if ('selectionSet' in selection && selection.selectionSet) n += countFields(selection.selectionSet);
  }
  return n;
}

function literal(value: ValueNode): unknown {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.NULL) return null;
  return Number.NaN;
}
