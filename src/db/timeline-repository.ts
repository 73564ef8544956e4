import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DateRange } from '../shared/search-types.ts';
import type { TimelineBucket, TimelinePeriod } from '../shared/timeline-types.ts';
import type { DB } from './schema.ts';
import { fullVector } from './full-vector-type.ts';
import { vectorParameter } from './vector-parameter.ts';

interface TimelineRow {
  period: string;
  count: number;
  share: number;
  top_headline_id: string | null;
  top_published_on: string | null;
  top_text: string | null;
}

/** semantic_timeline() (migration 0008), exactly as analysts call it. */
export function semanticTimeline(db: Kysely<DB>, embedding: Float32Array, bucket: TimelineBucket, top: number, range: DateRange): Promise<TimelinePeriod[]> {
  return timeline(db, sql`semantic_timeline(${vectorParameter(embedding)}::${fullVector}, ${bucket.toLowerCase()}, ${top}::int, ${range.from}::date, ${range.to}::date)`);
}

/** similar_timeline() (migration 0008): the neighbours of a stored headline, itself excluded. */
export function similarTimeline(db: Kysely<DB>, id: string, bucket: TimelineBucket, top: number, range: DateRange): Promise<TimelinePeriod[]> {
  return timeline(db, sql`similar_timeline(${id}::bigint, ${bucket.toLowerCase()}, ${top}::int, ${range.from}::date, ${range.to}::date)`);
}

async function timeline(db: Kysely<DB>, source: RawBuilder<unknown>): Promise<TimelinePeriod[]> {
  const { rows } = await sql<TimelineRow>`select t.* from ${source} t order by t.period`.execute(db);
  return rows.map((r) => ({
    period: r.period,
    count: r.count,
    share: r.share,
    topHeadline: r.top_headline_id === null ? null : { id: r.top_headline_id, publishedOn: r.top_published_on!, text: r.top_text! },
  }));
}
