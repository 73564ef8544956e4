import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { encodeCopyRows, type CopyRow } from './binary-copy.ts';
import { FULL_VECTOR_TYPE } from './full-vector-type.ts';
import { headlinesDistributed } from './headlines-distributed.ts';
import type { Database } from './open-database.ts';

export interface DedupKey {
  readonly publishedOn: string;
  /** md5 of the UTF-8 text, hex: the same value as the table's text_hash. */
  readonly textMd5: string;
}

export interface HeadlineLoader {
  /** Which of these (date, text) keys are already stored, as `date:md5`. */
  existing(keys: readonly DedupKey[]): Promise<Set<string>>;
  /** Loads rows in one transaction; returns how many were new (conflicts are skipped). */
  load(rows: readonly CopyRow[]): Promise<number>;
  close(): Promise<void>;
}

export const dedupKey = (k: DedupKey) => `${k.publishedOn}:${k.textMd5}`;

const STAGING = `create temp table if not exists ingest_staging (
  published_on date not null, text text not null, embedding ${FULL_VECTOR_TYPE} not null, embedding_reduced halfvec not null
) on commit delete rows`;
const COPY_COLUMNS = 'ingest_staging (published_on, text, embedding, embedding_reduced)';
// Losing the last commits in a server crash is harmless here (a re-run re-loads them),
// and not waiting for each WAL flush makes loading several times faster.
const RELAXED_COMMIT = `set local synchronous_commit = off`;
const MERGE = `insert into headlines (published_on, text, embedding, embedding_reduced)
  select published_on, text, embedding, embedding_reduced from ingest_staging
  on conflict (published_on, text_hash) do nothing`;
// On Citus headline_days has no triggers to keep it (migration 0011): the batch's days are
// recounted in its own transaction, so a killed load leaves the counts with the rows.
const RECOUNT_DAYS = `select refresh_headline_days($1::date[])`;
// The same for the corpus's word list (migration 0012): the texts this batch stored.
const COUNT_TERMS = `select headline_terms_add($1::text[])`;

/**
 * A batch read from a date-ordered source spans a few days: reading every stored key of
 * those days from the unique index, in index order, is far cheaper than probing each key
 * (a random visit per key). headline_days, kept by trigger, says how many keys that is:
 * none skips the probe altogether (a fresh load), more than RANGE_READ_FACTOR per row in
 * the batch (an unordered source) falls back to the per-key probe.
 */
const RANGE_READ_FACTOR = 8;
const EXISTING_KEYS = `with scope as (
    select coalesce(sum(headlines), 0) as n from headline_days where published_on between $3::date and $4::date
  )
  select h.published_on::text || ':' || encode(h.text_hash, 'hex') as key
  from headlines h
  where (select n from scope) between 1 and $5 and h.published_on between $3::date and $4::date
  union all
  select h.published_on::text || ':' || encode(h.text_hash, 'hex') as key
  from headlines h
  where (select n from scope) > $5
    and (h.published_on, h.text_hash) in (select d, decode(m, 'hex') from unnest($1::date[], $2::text[]) as k(d, m))`;

/**
 * Bulk load through a staging table: binary COPY (pg-copy-streams on a server; PGlite's
 * COPY from a blob in embedded mode, far faster there than any INSERT over the wire),
 * then insert-on-conflict-do-nothing, all in one transaction per batch.
 */
export async function createHeadlineLoader(database: Database): Promise<HeadlineLoader> {
  const existing = async (keys: readonly DedupKey[]) => {
    if (keys.length === 0) return new Set<string>();
    const dates = keys.map((k) => k.publishedOn);
    const lo = dates.reduce((a, b) => (b < a ? b : a));
    const hi = dates.reduce((a, b) => (b > a ? b : a));
    const { rows } = await database.pool.query<{ key: string }>(EXISTING_KEYS, [
      dates,
      keys.map((k) => k.textMd5),
      lo,
      hi,
      RANGE_READ_FACTOR * keys.length,
    ]);
    const wanted = new Set(keys.map(dedupKey));
    return new Set(rows.map((r) => r.key).filter((key) => wanted.has(key)));
  };

  const embedded = database.embedded;
  if (embedded) {
    return {
      existing,
      load: (rows) =>
        embedded.exclusive((db) =>
          db.transaction(async (tx) => {
            await tx.exec(STAGING);
            await tx.exec(RELAXED_COMMIT);
            await tx.query(`copy ${COPY_COLUMNS} from '/dev/blob' (format binary)`, [], { blob: new Blob([encodeCopyRows(rows)]) });
            return (await tx.query(MERGE)).affectedRows ?? 0;
          }),
        ),
      close: async () => undefined,
    };
  }

  const distributed = await headlinesDistributed(database.db);
  // One dedicated connection: the temp staging table lives in its session.
  const client: pg.PoolClient = await database.pool.connect();
  try {
    await client.query(STAGING);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  return {
    existing,
    async load(rows) {
      await client.query('begin');
      try {
        await client.query(RELAXED_COMMIT);
        await pipeline(Readable.from([encodeCopyRows(rows)]), client.query(copyFrom(`copy ${COPY_COLUMNS} from stdin (format binary)`)));
        const result = await client.query<{ text: string }>(distributed ? `${MERGE} returning text` : MERGE);
        if (distributed) {
          await client.query(RECOUNT_DAYS, [[...new Set(rows.map((r) => r.publishedOn))]]);
          await client.query(COUNT_TERMS, [result.rows.map((r) => r.text)]);
        }
        await client.query('commit');
        return result.rowCount ?? 0;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    },
    close: async () => client.release(),
  };
}
