import { getVariableValues, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { collectFields } from 'graphql/execution/collectFields.js';
import { rootFieldMaxAge, type CacheMaxAges } from './root-field-max-age.ts';

/**
 * Seconds a shared cache may keep the answer to `operation`: the shortest max-age of the
 * root fields it will run, collected as execution collects them (fragments, type
 * conditions, @skip and @include with these variables). Introspection fields (`__*`) do not
 * count, and an operation with no other root field gets 0, as do variables that do not
 * coerce (execution then fails).
 */
export function operationMaxAge(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | undefined, maxAges: CacheMaxAges): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { ...variables });
  if (coerced.errors) return 0;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null);
  for (const definition of document.definitions) if (definition.kind === 'FragmentDefinition') fragments[definition.name.value] = definition;
  let age = Number.POSITIVE_INFINITY;
  for (const [field] of collectFields(schema, fragments, coerced.coerced, root, operation.selectionSet).values()) {
    const name = field!.name.value;
    if (!name.startsWith('__')) age = Math.min(age, rootFieldMaxAge(name, maxAges));
  }
  return Number.isFinite(age) ? age : 0;
}
