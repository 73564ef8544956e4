-- Two search paths on Citus that cost a cluster far more than one server, measured at
-- 1.2M rows on a coordinator and two workers:
--  * a day: migration 0011's semantic_search sent the day's exact scan to every shard (a
--    range on the distribution column prunes nothing under hash distribution), where one
--    shard holds the whole day. Said as an equality, Citus sends it to that shard alone.
--  * a range compared in full (a year of a 1.2M corpus): tier 1's one statement carried
--    each candidate's text and 512-d distance, so every shard read every row of the range
--    from the table instead of the reduced vectors from the date-ordered index. Now the
--    candidates' ids come from that index alone (a top-level ORDER BY ... LIMIT that every
--    shard answers), and the tier is re-ranked by id as on one server. The HNSW path keeps
--    tier 1 in one statement: there only `pool` rows per shard are read.
-- The same rows everywhere; nothing changes off Citus.
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
  ann_order text;
  ann_query text;
  cand record;
  cand_ids bigint[] := '{}';
  cand_dates date[] := '{}';
  cand_texts text[] := '{}';
  cand_distances double precision[] := '{}';
  tiers boolean := true;
  tier bigint[];
  ranked bigint[] := '{}';
  scan_range boolean := false;
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
    if headlines_distributed() then
      -- On a Citus coordinator the planner knows nothing of the shards' rows (reltuples
      -- is 0 there): count them in headline_days, exact, a reference table read locally.
      select coalesce(sum(d.headlines), 0) into table_rows from headline_days d;
      select coalesce(sum(d.headlines), 0) into in_scope from headline_days d
      where d.published_on >= lo and d.published_on <= hi;
    else
      select c.reltuples into table_rows from pg_class c where c.oid = 'headlines'::regclass;
      in_scope := case when date_from is null and date_to is null and table_rows >= 0 then table_rows
                       else headline_rows_estimate(date_from, date_to) end;
    end if;
  end if;
  if in_scope > exact_rows then
    reduced := project_embedding(query_embedding);
    if (date_from is not null or date_to is not null)
       and in_scope * in_scope <= range_factor * greatest(table_rows, in_scope) then
      -- The second sort key keeps the HNSW index out: every reduced vector in the range
      -- is compared, read from the date-ordered index.
      ann_order := format('h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s), h.id', dims, dims);
      scan_range := true;
    else
      -- pgvector 0.8: keep scanning the graph until the tier is full of rows inside the
      -- range, or past ef_search's ceiling of 1,000 rows.
      set local hnsw.iterative_scan = 'relaxed_order';
      set local hnsw.max_scan_tuples = 200000;
      ann_order := format('h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s)', dims, dims);
    end if;
    ann_query := format(
      'select array_agg(c.id) from (
         select h.id from headlines h
         where h.published_on >= $2 and h.published_on <= $3
         order by %s
         limit $4
       ) c', ann_order);

    if headlines_distributed() and k <= pool and not scan_range then
      -- Tier 1 on Citus in one statement: the candidates' exact distances are computed on
      -- the shards, where the 512-d vectors are, together with the ANN step, so one round
      -- trip to the workers instead of two. A top-level ORDER BY ... LIMIT goes to every
      -- shard and is merged; the same LIMIT in a subquery would first be materialised
      -- apart. The same candidates and ranking as the tiers below.
      execute format('set local hnsw.ef_search = %s', least(greatest(pool, 40), 1000));
      for cand in execute format(
          'select h.id, h.published_on, h.text, (h.embedding <=> $5)::double precision as distance
           from headlines h
           where h.published_on >= $2 and h.published_on <= $3
           order by %s
           limit $4', ann_order)
        using reduced, lo, hi, pool, query_embedding
      loop
        cand_ids := cand_ids || cand.id;
        cand_dates := cand_dates || cand.published_on;
        cand_texts := cand_texts || cand.text;
        cand_distances := cand_distances || cand.distance;
      end loop;
      if cardinality(cand_ids) >= pool then
        return query
          select u.id, u.published_on, u.text, 1 - u.distance, (row_number() over (order by u.distance, u.id))::integer
          from unnest(cand_ids, cand_dates, cand_texts, cand_distances) as u(id, published_on, text, distance)
          order by u.distance, u.id
          limit k;
        return;
      end if;
      -- The index ran out inside the range: the exact answer below, as tier 1 would give.
      tiers := false;
    end if;
    if tiers then
      loop
        execute format('set local hnsw.ef_search = %s', least(greatest(pool, 40), 1000));
        if headlines_distributed() then
          -- A top-level ORDER BY ... LIMIT that every shard answers from its index; the
          -- same LIMIT in ann_query's subquery would be materialised apart first.
          candidates := '{}';
          for cand in execute format(
              'select h.id from headlines h
               where h.published_on >= $2 and h.published_on <= $3
               order by %s
               limit $4', ann_order)
            using reduced, lo, hi, pool
          loop
            candidates := candidates || cand.id;
          end loop;
        else
          execute ann_query into candidates using reduced, lo, hi, pool;
        end if;
        exit when coalesce(cardinality(candidates), 0) < pool;

        -- (Not on Citus, which cannot push this window function down to the shards.)
        if cardinality(ranked) = 0 and k <= pool and not headlines_distributed() then
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
  end if;

  if headlines_distributed() then
    -- The same rows as below, with no distributed statement for an empty list, and the
    -- exact tail as a top-level ORDER BY ... LIMIT, which Citus pushes to every shard: a
    -- window function or a LIMIT in a subquery would have every shard send all its rows
    -- in range, or materialise them apart first.
    if cardinality(ranked) > 0 then
      return query
        select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision, r.position::integer
        from unnest(ranked) with ordinality as r(id, position)
        join headlines h on h.id = r.id
        where r.position <= k
        order by r.position;
    end if;
    if cardinality(ranked) < k then
      rank := cardinality(ranked);
      for cand in
        select h.id, h.published_on, h.text, (h.embedding <=> query_embedding)::double precision as distance
        from headlines h
        where h.published_on >= lo and h.published_on <= hi and h.id <> all(ranked)
          -- One day is one shard: said as an equality, Citus sends the statement to that
          -- shard alone instead of to every shard.
          and (lo <> hi or h.published_on = lo)
        order by h.embedding <=> query_embedding, h.id
        limit k - cardinality(ranked)
      loop
        id := cand.id;
        published_on := cand.published_on;
        text := cand.text;
        similarity := 1 - cand.distance;
        rank := rank + 1;
        return next;
      end loop;
    end if;
    return;
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

-- CREATE OR REPLACE drops the settings attached to the function: attach them again.
alter function semantic_search(halfvec, integer, date, date) set jit = off;
alter function semantic_search(halfvec, integer, date, date) set plan_cache_mode = force_custom_plan;
do $citus$
begin
  if headlines_distributed() then
    alter function semantic_search(halfvec, integer, date, date) set citus.propagate_set_commands = 'local';
  end if;
end
$citus$;
