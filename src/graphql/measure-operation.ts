import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { operationCost } from './operation-cost.ts';

export interface OperationMeasures {
  /** The operation that would run, for the request log: its name, else its first root field. */
  readonly label: string;
  /** Field selections written anywhere in the document: what validation has to work through. */
  readonly fields: number;
  /** Deepest field nesting of the operation, fragments expanded; introspection (__schema, __type) not counted. */
  readonly depth: number;
  /** Aliased fields of the operation, fragments expanded. */
  readonly aliases: number;
  /** Work the operation asks for; see operationCost. */
  readonly cost: number;
}

interface Tally {
  depth: number;
  aliases: number;
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

  const memo = new Map<string, Tally>();
  const expanding = new Set<string>();
  const walk = (set: SelectionSetNode, introspection: boolean): Tally => {
    const tally: Tally = { depth: 0, aliases: 0 };
    const add = (inner: Tally) => {
      tally.depth = Math.max(tally.depth, inner.depth);
      tally.aliases += inner.aliases;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const inIntrospection = introspection || name === '__schema' || name === '__type';
        if (selection.alias) tally.aliases++;
        const inner = selection.selectionSet ? walk(selection.selectionSet, inIntrospection) : { depth: 0, aliases: 0 };
        tally.aliases += inner.aliases;
        if (!inIntrospection) tally.depth = Math.max(tally.depth, inner.depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walk(selection.selectionSet, introspection));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || expanding.has(name)) continue;
        const key = `${name}|${introspection}`;
        let inner = memo.get(key);
        if (!inner) {
          expanding.add(name);
          inner = walk(fragment.selectionSet, introspection);
          expanding.delete(name);
          memo.set(key, inner);
        }
        add(inner);
      }
    }
    return tally;
  };
  const tally = walk(operation.selectionSet, false);
  const firstField = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
  return { label: operation.name?.value ?? firstField?.name.value ?? 'unknown', fields, ...tally, cost: operationCost(document, operation, variables) };
}

function countFields(set: SelectionSetNode): number {
  let n = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) n++;
    if ('selectionSet' in selection && selection.selectionSet) n += countFields(selection.selectionSet);
  }
  return n;
}
