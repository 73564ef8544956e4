import { Kind, type OperationDefinitionNode } from 'graphql';

/** The label of requests that are not one root field of the schema (several, introspection, unparseable). */
export const OTHER_OPERATION = 'other';

/**
 * What a request is counted as in /metrics: its root field when it selects one field of the
 * schema (aliased as often as it likes), else `other`. Never a name the client wrote, so
 * the series stay a fixed set however many distinct operation names clients send.
 */
export function operationLabel(operation: OperationDefinitionNode | undefined, rootFields: ReadonlySet<string>): string {
  if (!operation) return OTHER_OPERATION;
  const names = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return OTHER_OPERATION;
    if (selection.name.value !== '__typename') names.add(selection.name.value);
  }
  const [only] = names;
  return names.size === 1 && rootFields.has(only!) ? only! : OTHER_OPERATION;
}
