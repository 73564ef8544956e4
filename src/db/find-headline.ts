import type { Kysely } from 'kysely';
import type { HeadlineRow } from '../shared/search-types.ts';
import type { DB } from './schema.ts';

export async function findHeadline(db: Kysely<DB>, id: string): Promise<HeadlineRow | null> {
  const row = await db.selectFrom('headlines').select(['id', 'published_on', 'text']).where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, publishedOn: row.published_on, text: row.text } : null;
}
