-- Date ranges at scale. The reduced vectors, with their ids, ordered by date in a B-tree of
-- their own: a range is an index-only scan over ~150-byte entries instead of the 1.3 kB heap
-- rows (which hold the 512-d vector and the text too). It replaces the plain date index.
create index headlines_published_on_reduced_idx on headlines (published_on) include (id, embedding_reduced);
drop index headlines_published_on_idx;

-- semantic_search whose ranking depends on the query, the date range and the settings, never
-- on k: a smaller k is always a prefix of a larger one, so cursor pages concatenate exactly
-- to any depth. (0004's version grew the ANN pool with k, so past `candidates` rows every
-- page of a different depth was a different ranking.)
--
-- The candidates come in tiers of fixed sizes: candidates, candidates * 6, * 36, ... (200,
-- 1,200, 7,200 by default). Tier 1 is the index's nearest `candidates` rows re-ranked by
-- the full vectors, as before, and serves any k up to its size in one statement. A deeper
-- k appends the next tier's rows not already ranked, each tier re-ranked on its own. A
-- tier the index cannot fill (the range holds too few rows for it) ends the tiers: the
-- rest of the range follows in exact order, and if that happens in tier 1 the whole
-- ranking is exact. Each step depends only on the query, range and settings.
--
-- Where the candidates come from, by the planner's estimate of the rows in scope:
--   at most exact_scan_rows (default 10,000)   none: the full vectors of the whole scope, exact
--   a date range of n rows in a table of N,    the reduced vectors of every row in the range,
--     with n * n <= range_scan_factor * N      exact (the index above), ties by id
--   otherwise                                  the HNSW index (iterative scan within a range)
-- A range scan costs in proportion to n; an iterative index scan, which must pass over the
-- rows outside the range, to N / n. They cross near n * n = 10,000 * N on this workload
-- (headline_search.range_scan_factor, new here, default 10000): at 98,908 rows up to
-- ~31,000 rows in range, at 1.2M up to ~110,000.
create or replace function semantic_search(
  query_embedding halfvec(512),
  k integer default 10,
  date_from date default null,
  date_to date default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
  dims integer;
  pool bigint;
  exact_rows double precision;
  range_factor double precision;
  in_scope double precision := 0;
  table_rows double precision;
  lo date := coalesce(date_from, '-infinity'::date);
  hi date := coalesce(date_to, 'infinity'::date);
  reduced halfvec;
  candidates bigint[];
  ann_query text;
  tier bigint[];
  ranked bigint[] := '{}';
begin
  if query_embedding is null then
    raise exception 'semantic_search: query_embedding is null' using errcode = '22004';
  end if;
  if k is null or k < 1 then
    raise exception 'semantic_search: k must be at least 1, got %', k using errcode = '22023';
  end if;
  select p.dimensions into dims from projection p where p.id = 1;
  pool := coalesce(nullif(current_setting('headline_search.candidates', true), '')::integer, 200);
  if pool < 1 then
    raise exception 'semantic_search: headline_search.candidates must be at least 1, got %', pool using errcode = '22023';
  end if;
  exact_rows := coalesce(nullif(current_setting('headline_search.exact_scan_rows', true), '')::double precision, 10000);
  range_factor := coalesce(nullif(current_setting('headline_search.range_scan_factor', true), '')::double precision, 10000);

  if dims is not null then
    -- The whole table's size is in pg_class (kept by ANALYZE and autovacuum): no EXPLAIN
    -- to plan and run on every unfiltered search. Never analysed (-1): ask the planner.
    select c.reltuples into table_rows from pg_class c where c.oid = 'headlines'::regclass;
    in_scope := case when date_from is null and date_to is null and table_rows >= 0 then table_rows
                     else headline_rows_estimate(date_from, date_to) end;
  end if;
  if in_scope > exact_rows then
    reduced := project_embedding(query_embedding);
    if (date_from is not null or date_to is not null)
       and in_scope * in_scope <= range_factor * greatest(table_rows, in_scope) then
      -- The second sort key keeps the HNSW index out: every reduced vector in the range
      -- is compared, read from the date-ordered index.
      ann_query := format(
        'select array_agg(c.id) from (
           select h.id from headlines h
           where h.published_on >= $2 and h.published_on <= $3
           order by h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s), h.id
           limit $4
         ) c', dims, dims);
    else
      -- pgvector 0.8: keep scanning the graph until the tier is full of rows inside the
      -- range, or past ef_search's ceiling of 1,000 rows.
      perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
      perform set_config('hnsw.max_scan_tuples', '200000', true);
      ann_query := format(
        'select array_agg(c.id) from (
           select h.id from headlines h
           where h.published_on >= $2 and h.published_on <= $3
           order by h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s)
           limit $4
         ) c', dims, dims);
    end if;
    loop
      perform set_config('hnsw.ef_search', least(greatest(pool, 40), 1000)::text, true);
      execute ann_query into candidates using reduced, lo, hi, pool;
      exit when coalesce(cardinality(candidates), 0) < pool;

      if cardinality(ranked) = 0 and k <= pool then
        -- The usual request: tier 1 holds all k rows, ranked in one statement.
        return query
          select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision,
                 (row_number() over (order by h.embedding <=> query_embedding, h.id))::integer
          from headlines h
          where h.id = any(candidates)
          order by h.embedding <=> query_embedding, h.id
          limit k;
        return;
      end if;

      select array_agg(c.id order by c.distance, c.id) into tier
      from (
        select h.id, h.embedding <=> query_embedding as distance
        from headlines h
        where h.id = any(candidates) and h.id <> all(ranked)
      ) c;
      ranked := ranked || coalesce(tier, '{}');
      exit when cardinality(ranked) >= k;
      pool := pool * 6;
    end loop;
  end if;

  return query
    select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision, r.position::integer
    from unnest(ranked) with ordinality as r(id, position)
    join headlines h on h.id = r.id
    where r.position <= k
    order by r.position;
  if cardinality(ranked) < k then
    -- Past the tiers (or a scope too small for the index): the rest of the range, exact.
    return query
      select e.id, e.published_on, e.text, e.similarity, (cardinality(ranked) + e.position)::integer
      from (
        select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision as similarity,
               row_number() over (order by h.embedding <=> query_embedding, h.id) as position
        from headlines h
        where h.published_on >= lo and h.published_on <= hi and h.id <> all(ranked)
        order by h.embedding <=> query_embedding, h.id
        limit k - cardinality(ranked)
      ) e
      order by e.position;
  end if;
end
$$;

-- An exact scan over a wide scope costs past jit_above_cost, and compiling it costs more
-- than it saves on statements this short.
alter function semantic_search(halfvec, integer, date, date) set jit = off;
