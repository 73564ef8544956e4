/** The types whose objects have global ids (schema.graphql's `Node`). */
export type NodeType = 'Headline';

/**
 * Relay's object identification: an id that names its type and key, so it is unique across
 * types and `node(id)` can tell what to fetch. base64url of "Type:key": opaque to clients,
 * safe in URLs.
 */
export function toGlobalId(type: NodeType, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

/** The type and key of a global id; null for anything toGlobalId did not make. */
export function fromGlobalId(id: string): { readonly type: string; readonly key: string } | null {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  // Node's decoder skips characters outside the alphabet: only an exact round trip is an id.
  if (id === '' || Buffer.from(text, 'utf8').toString('base64url') !== id) return null;
  const match = /^([A-Z][A-Za-z]*):(.+)$/s.exec(text);
  return match ? { type: match[1]!, key: match[2]! } : null;
}
