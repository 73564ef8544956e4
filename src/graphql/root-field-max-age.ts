/** Seconds a shared cache may keep an answer, by the root fields it comes from (config: CACHE_MAX_AGE_*). */
export interface CacheMaxAges {
  /** search and similar. */
  readonly search: number;
  /** timeline and similarTimeline. */
  readonly timeline: number;
  readonly suggest: number;
  /** headline, and the Relay lookups node and nodes, which return the same rows. */
  readonly headline: number;
  readonly stats: number;
}

const GROUPS = new Map<string, keyof CacheMaxAges>([
  ['search', 'search'],
  ['similar', 'search'],
  ['timeline', 'timeline'],
  ['similarTimeline', 'timeline'],
  ['suggest', 'suggest'],
  ['headline', 'headline'],
  ['node', 'headline'],
  ['nodes', 'headline'],
  ['stats', 'stats'],
]);

/**
 * The max-age of a root field's answers. Every root field today answers the same to every
 * client (nothing reads who is asking), so each is public for its group's age. A root
 * field not named here gets 0, never cached: a new field becomes cacheable only once
 * someone has decided that its answers are the same for everyone.
 */
export function rootFieldMaxAge(field: string, maxAges: CacheMaxAges): number {
  const group = GROUPS.get(field);
  return group === undefined ? 0 : maxAges[group];
}
