-- Two costs taken off a search at 1.2M rows, measured in docs/performance.md:
--  * The usual request (one page, candidates from an HNSW graph) is found and ranked in one
--    statement: each candidate carries its exact 512-d distance, computed from the row the
--    index scan has just read, instead of a second statement looking every candidate up
--    again by id to re-rank it. Candidates from a scan of a short range or of a sliver of a
--    year, which sorts every row in it, and later tiers (deep pages) are re-ranked as before.
--  * year_pieces asks the catalog for the year indexes by name: headline_year_indexes(),
--    which it called before, sums every day of the table on each search.
-- Where the planner takes the same paths as before, the same candidates, order and ranks.

-- As in 0015, and now each piece also carries what semantic_search returns: published_on,
-- text and full_distance, the exact distance to $4 (the 512-d query) for a piece read from
-- a graph, null for one compared in full (which would compute it for every row it sorts).
create or replace function year_pieces(lo date, hi date, in_scope double precision, table_rows double precision, dims integer,
                            out pieces text[], out graph_pieces integer)
language plpgsql stable
as $$
declare
  first_day date;
  last_day date;
  years integer;
  distance text := format('h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s)', dims, dims);
  piece record;
  scanned boolean;
begin
  graph_pieces := 0;
  select min(d.published_on), max(d.published_on) into first_day, last_day
  from headline_days d
  where d.published_on >= lo and d.published_on <= hi and d.headlines > 0;
  if first_day is null or in_scope * 2 > table_rows then
    return;
  end if;
  years := extract(year from last_day)::integer - extract(year from first_day)::integer + 1;
  -- By name in the catalog: headline_year_indexes() sums every day of the table first.
  if (select count(*) from pg_class c join pg_index i on i.indexrelid = c.oid
      where c.relname = any (array(select 'headlines_reduced_hnsw_y' || y
                                   from generate_series(extract(year from first_day)::integer,
                                                        extract(year from last_day)::integer) y))
        and i.indrelid = 'headlines'::regclass and i.indisvalid) < years then
    return;
  end if;
  pieces := '{}';
  for piece in
    select d.year,
           sum(d.headlines) filter (where d.published_on >= lo and d.published_on <= hi) as in_range,
           sum(d.headlines) as in_year
    from (select extract(year from d.published_on)::integer as year, d.published_on, d.headlines
          from headline_days d
          where d.published_on >= make_date(extract(year from first_day)::integer, 1, 1)
            and d.published_on <= make_date(extract(year from last_day)::integer, 12, 31)) d
    group by d.year
    order by d.year
  loop
    continue when coalesce(piece.in_range, 0) = 0;
    scanned := piece.in_range * 4 <= piece.in_year;
    pieces := pieces || format(
      '(select h.id, h.published_on, h.text, %s as full_distance, %s as distance
        from headlines h where h.published_on >= %L and h.published_on <= %L order by %s limit %s)',
      case when scanned then 'null::double precision' else '(h.embedding <=> $4)::double precision' end,
      distance, greatest(lo, make_date(piece.year, 1, 1)), least(hi, make_date(piece.year, 12, 31)),
      distance || case when scanned then ', h.id' else '' end, case when scanned then '$2' else '$3' end);
    graph_pieces := graph_pieces + case when scanned then 0 else 1 end;
  end loop;
end
$$;

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
  distributed boolean := headlines_distributed();
  pieces text[];
  graph_pieces integer;
  piece_limit bigint;
  range_filter text := '';
  one_pass boolean;
begin
  if query_embedding is null then
    raise exception 'semantic_search: query_embedding is null' using errcode = '22004';
  end if;
  if k is null or k < 1 then
    raise exception 'semantic_search: k must be at least 1, got %', k using errcode = '22023';
  end if;
  select p.dimensions into dims from projection p where p.id = 1;
  if query_reduced is not null and vector_dims(query_reduced) is distinct from dims then
    raise exception 'semantic_search: query_reduced has % dimensions, the stored projection %', vector_dims(query_reduced), dims
      using errcode = '22023';
  end if;
  pool := coalesce(nullif(current_setting('headline_search.candidates', true), '')::integer, 200);
  if pool < 1 then
    raise exception 'semantic_search: headline_search.candidates must be at least 1, got %', pool using errcode = '22023';
  end if;
  exact_rows := coalesce(nullif(current_setting('headline_search.exact_scan_rows', true), '')::double precision, 1000);
  range_factor := coalesce(nullif(current_setting('headline_search.range_scan_factor', true), '')::double precision, 10000);

  if dims is not null then
    -- The whole table's size is in pg_class (kept by ANALYZE and autovacuum): no EXPLAIN
    -- to plan and run on every unfiltered search. Never analysed (-1): ask the planner.
    if distributed then
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
    -- The API projects the query itself, as it embedded it; analysts leave it to SQL.
    reduced := coalesce(query_reduced, project_embedding(query_embedding));
    if not distributed and (date_from is not null or date_to is not null) then
      select y.pieces, y.graph_pieces into pieces, graph_pieces from year_pieces(lo, hi, in_scope, table_rows, dims) y;
    end if;
    if pieces is not null then
      -- Each calendar year of the range from its own HNSW index (headline_year_indexes):
      -- the global graph, filtered to a narrow range, visits about table/range rows for
      -- each one it keeps.
      scan_range := false;
    elsif (date_from is not null or date_to is not null)
       and in_scope * in_scope <= range_factor * greatest(table_rows, in_scope) then
      -- The second sort key keeps the HNSW index out: every reduced vector in the range
      -- is compared, read from the date-ordered index.
      ann_order := format('h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s), h.id', dims, dims);
      scan_range := true;
    else
      if distributed then
        -- Tier 1 below is one statement on Citus: its shards keep scanning their graphs
        -- until the tier is full of rows inside the range (pgvector 0.8).
        set local hnsw.iterative_scan = 'relaxed_order';
        set local hnsw.max_scan_tuples = 200000;
      end if;
      ann_order := format('h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s)', dims, dims);
    end if;
    -- No range, no filter: a filter on the date, even one every row passes, reads each
    -- row the graph offers from the table before it counts.
    if date_from is not null or date_to is not null then
      range_filter := 'where h.published_on >= $2 and h.published_on <= $3';
    end if;
    ann_query := format(
      'select array_agg(c.id) from (
         select h.id from headlines h
         %s
         order by %s
         limit $4
       ) c', range_filter, ann_order);
    -- Candidates from graphs alone (not a scan of the range, which sorts every row in it):
    -- they can carry their exact distances, computed from the rows the index scan has read
    -- anyway, so the re-rank looks none of them up again.
    one_pass := not distributed and k <= pool and not scan_range
                and (pieces is null or graph_pieces = cardinality(pieces));

    if distributed and k <= pool and not scan_range then
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
        if date_from is not null or date_to is not null or pool > 1000 then
          -- pgvector 0.8: keep scanning the graph until the tier is full of rows inside the
          -- range, or past ef_search's ceiling of 1,000 rows. Not otherwise: an iterative
          -- scan costs an unfiltered search of 200 rows a third more.
          set local hnsw.iterative_scan = 'relaxed_order';
          set local hnsw.max_scan_tuples = 200000;
        end if;
        if distributed then
          -- A SET statement, which Citus forwards to the workers' sessions.
          execute format('set local hnsw.ef_search = %s', least(greatest(pool, 40), 1000));
        else
          perform set_config('hnsw.ef_search', least(greatest(pool, 40), 1000)::text, true);
        end if;
        if pieces is not null then
          -- Each year's graph gives twice its share of the candidates (all of them for one
          -- or two years): between them, still twice as many as are kept, each from a
          -- shorter search than one for them all.
          piece_limit := least(pool, ceil(2.0 * pool / greatest(graph_pieces, 1)));
          perform set_config('hnsw.ef_search', least(greatest(piece_limit, 40), 1000)::text, true);
        end if;
        if one_pass and cardinality(ranked) = 0 then
          -- The usual request: tier 1 holds all k rows, found and ranked in one statement.
          if pieces is not null then
            return query execute format(
              'with c as materialized (
                 select u.id, u.published_on, u.text, u.full_distance from (%s) u order by u.distance, u.id limit $2
               )
               select c.id, c.published_on, c.text, 1 - c.full_distance,
                      (row_number() over (order by c.full_distance, c.id))::integer
               from c where (select count(*) from c) >= $2
               order by c.full_distance, c.id
               limit $5', array_to_string(pieces, ' union all '))
              using reduced, pool, piece_limit, query_embedding, k;
          else
            return query execute format(
              'with c as materialized (
                 select h.id, h.published_on, h.text, (h.embedding <=> $5)::double precision as full_distance
                 from headlines h
                 %s
                 order by %s
                 limit $4
               )
               select c.id, c.published_on, c.text, 1 - c.full_distance,
                      (row_number() over (order by c.full_distance, c.id))::integer
               from c where (select count(*) from c) >= $4
               order by c.full_distance, c.id
               limit $6', range_filter, ann_order)
              using reduced, lo, hi, pool, query_embedding, k;
          end if;
          if found then
            return;
          end if;
          -- Fewer candidates than the pool: the index ran out inside the range, and the
          -- exact answer below is the whole answer.
          exit;
        end if;
        if distributed then
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
        elsif pieces is not null then
          execute format(
            'select array_agg(c.id order by c.distance, c.id) from (
               select u.id, u.distance from (%s) u order by u.distance, u.id limit $2
             ) c', array_to_string(pieces, ' union all '))
            into candidates using reduced, pool, piece_limit, query_embedding;
        else
          execute ann_query into candidates using reduced, lo, hi, pool;
        end if;
        exit when coalesce(cardinality(candidates), 0) < pool;

        -- (Not on Citus, which cannot push this window function down to the shards.)
        if cardinality(ranked) = 0 and k <= pool and not distributed then
          -- Tier 1 of the usual request from candidates a scan of the range found.
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

  if distributed then
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

-- CREATE OR REPLACE keeps the grants and resets the settings: set them again, as in 0015.
alter function semantic_search(halfvec, integer, date, date, halfvec) set jit = off;
alter function semantic_search(halfvec, integer, date, date, halfvec) set plan_cache_mode = force_custom_plan;
do $citus$
begin
  if headlines_distributed() then
    alter function semantic_search(halfvec, integer, date, date, halfvec) set citus.propagate_set_commands = 'local';
  end if;
end
$citus$;
