import type { Kysely } from 'kysely';
import type { HeadlineRow } from '../shared/search-types.ts';
import type { DB } from './schema.ts';

/** The stored headlines among `ids`, in one statement whatever their number; missing ids are left out, order is not kept. */
export async function findHeadlines(db: Kysely<DB>, ids: readonly string[]): Promise<HeadlineRow[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('headlines').select(['id', 'published_on', 'text']).where('id', 'in', ids).execute();
  return rows.map((row) => ({ id: row.id, publishedOn: row.published_on, text: row.text }));
}
