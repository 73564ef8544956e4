-- headline-search on Citus: the search functions for a distributed `headlines`.
-- DESIGNED, NOT RUN ON CITUS HERE (Citus is not in Debian's archive). See docs/sharding.md.
-- Applied after citus-setup.sql, on the coordinator; they replace migration 0004's
-- semantic_search and headline_rows_estimate. On plain PostgreSQL they behave exactly like
-- the originals (test/sharding-design.test.ts runs this file on plain databases).

-- Rows per publication day, kept by ingest (refresh_headline_day_counts() at its end). A
-- reference table: on Citus, EXPLAIN of a distributed table gives no useful row estimate,
-- and this answers "how many rows in this date range" exactly from one small local table.
create table if not exists headline_day_counts (
  published_on date primary key,
  n bigint not null
);

create or replace function refresh_headline_day_counts()
returns void
language sql
as $$
  delete from headline_day_counts;
  insert into headline_day_counts select published_on, count(*) from headlines group by published_on;
$$;

create or replace function headline_rows_estimate(date_from date, date_to date)
returns double precision
language sql stable
as $$
  select coalesce(sum(n), 0)::double precision from headline_day_counts
  where published_on >= coalesce(date_from, '-infinity'::date) and published_on <= coalesce(date_to, 'infinity'::date)
$$;

-- The ANN candidates of a query: the `pool` headlines nearest by the reduced vectors, each
-- with its exact distance on the full 512-d vectors. One statement, ORDER BY ... LIMIT over
-- `headlines`: Citus pushes it to every shard whole (each shard searches its own HNSW index
-- and computes the exact distances of its own `pool` rows), then merges the shards' sorted
-- answers and keeps the global first `pool`. No 512-d vector leaves a shard.
create or replace function shard_candidates(
  query_embedding halfvec(512),
  query_reduced halfvec,
  dims integer,
  pool integer,
  lo date,
  hi date
)
returns table (id bigint, published_on date, text text, distance double precision, reduced_distance double precision)
language plpgsql stable
as $$
begin
  return query execute format(
    'select h.id, h.published_on, h.text,
            (h.embedding <=> $1)::double precision,
            (h.embedding_reduced::halfvec(%1$s) <=> $2::halfvec(%1$s))::double precision
     from headlines h
     where h.published_on >= $3 and h.published_on <= $4
     order by h.embedding_reduced::halfvec(%1$s) <=> $2::halfvec(%1$s)
     limit $5', dims)
  using query_embedding, query_reduced, lo, hi, pool;
end
$$;

-- semantic_search, same signature (migration 0015's, with query_reduced) and results as
-- migration 0004's. The differences:
--  * no set_config of hnsw.ef_search / hnsw.iterative_scan / hnsw.max_scan_tuples: a setting
--    made in the coordinator's session does not reach the sessions Citus opens on the
--    workers, where the index is scanned; they are set per database (citus-setup.sql);
--  * the exact re-rank happens on the shards (shard_candidates' distance), not by fetching
--    candidates back by id, which on Citus would be a second round trip to every shard.
create or replace function semantic_search(
  query_embedding halfvec(512),
  k integer default 10,
  date_from date default null,
  date_to date default null,
  query_reduced halfvec default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
  dims integer;
  pool integer;
  exact_rows double precision;
  lo date := coalesce(date_from, '-infinity'::date);
  hi date := coalesce(date_to, 'infinity'::date);
  found_rows integer;
begin
  if query_embedding is null then
    raise exception 'semantic_search: query_embedding is null' using errcode = '22004';
  end if;
  if k is null or k < 1 then
    raise exception 'semantic_search: k must be at least 1, got %', k using errcode = '22023';
  end if;
  select p.dimensions into dims from projection p where p.id = 1;
  pool := greatest(k, coalesce(nullif(current_setting('headline_search.candidates', true), '')::integer, 200));
  exact_rows := coalesce(nullif(current_setting('headline_search.exact_scan_rows', true), '')::double precision, 10000);

  if dims is not null and headline_rows_estimate(date_from, date_to) > exact_rows then
    -- Rows only when there are enough candidates; otherwise none, and the exact scan below.
    return query
      with c as materialized (
        select c.id, c.published_on, c.text, c.distance
        from shard_candidates(query_embedding, coalesce(query_reduced, project_embedding(query_embedding)), dims, pool, lo, hi) c
      )
      select c.id, c.published_on, c.text, 1 - c.distance, (row_number() over (order by c.distance, c.id))::integer
      from c
      where (select count(*) from c) >= least(k, pool)
      order by c.distance, c.id
      limit k;
    get diagnostics found_rows = row_count;
    if found_rows > 0 then
      return;
    end if;
  end if;
  -- Small scope, or the index ran out of rows inside the range: exact answer. On Citus,
  -- ORDER BY ... LIMIT k goes to every shard and the coordinator merges: each shard's top k
  -- holds every row of the global top k that lives there, so the merge is exact.
  return query
    select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision,
           (row_number() over (order by h.embedding <=> query_embedding, h.id))::integer
    from headlines h
    where h.published_on >= lo and h.published_on <= hi
    order by h.embedding <=> query_embedding, h.id
    limit k;
end
$$;
