import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks for `field` on the edges of the connection this resolver
 * returns (`edges { field }`), through fragments and inline fragments too, so work that
 * only feeds that field can be skipped. Directives (@skip, @include) are not evaluated:
 * a field they might drop counts as asked for.
 */
export function selectsEdgeField(info: GraphQLResolveInfo, field: string): boolean {
  // A fragment is looked into once per level (a second look would find the same), so
  // fragments spread many times, or in cycles, cannot make this slow.
  const some = (set: SelectionSetNode | undefined, seen: Set<string>, match: (field: FieldNode) => boolean): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (match(selection)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (some(selection.selectionSet, seen, match)) return true;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        if (some(info.fragments[selection.name.value]?.selectionSet, seen, match)) return true;
      }
    }
    return false;
  };
  const inConnection = new Set<string>();
  const inEdges = new Set<string>();
  return info.fieldNodes.some((node) =>
    some(node.selectionSet, inConnection, (edges) => edges.name.value === 'edges' && some(edges.selectionSet, inEdges, (f) => f.name.value === field)),
  );
}
