import { isHeadlineKey } from '../search/validate-search-input.ts';
import { fromGlobalId } from './global-id.ts';

/**
 * The stored key a Headline id names, or null. `headline`, `similar` and `similarTimeline`
 * also take the bare numeric keys that were Headline.id before global ids: links and cursors
 * made then keep working. `node` takes global ids only (`legacy: false`).
 */
export function headlineKey(id: string, { legacy }: { readonly legacy: boolean }): string | null {
  if (legacy && isHeadlineKey(id)) return id;
  const global = fromGlobalId(id);
  return global?.type === 'Headline' && isHeadlineKey(global.key) ? global.key : null;
}
