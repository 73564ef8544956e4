import type { Kysely } from 'kysely';
import type { HeadlineRow } from '../shared/search-types.ts';
import type { DB } from './schema.ts';
import { findHeadlines } from './find-headlines.ts';

export async function findHeadline(db: Kysely<DB>, id: string): Promise<HeadlineRow | null> {
  return (await findHeadlines(db, [id]))[0] ?? null;
}
