import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks for `field` on the edges of the connection this resolver
 * returns (`edges { field }`), through fragments and inline fragments too, so work that
 * only feeds that field can be skipped. Directives (@skip, @include) are not evaluated:
 * a field they might drop counts as asked for.
 */
export function selectsEdgeField(info: GraphQLResolveInfo, field: string): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined, match: (name: string, inner: SelectionSetNode | undefined) => boolean): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (match(selection.name.value, selection.selectionSet)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (inSet(selection.selectionSet, match)) return true;
      } else {
        const name = selection.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        const found = inSet(info.fragments[name]?.selectionSet, match);
        seen.delete(name);
        if (found) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => inSet(node.selectionSet, (name, edges) => name === 'edges' && inSet(edges, (inner) => inner === field)));
}
