-- Two changes to the search at 1.2M rows, measured in docs/performance.md:
--  * The API already holds the model and the projection: it passes the query's reduced
--    vector (query_reduced) to semantic_search and hybrid_search instead of having every
--    search project it again in SQL. Analysts leave it out, and SQL projects as before.
--  * A date range of a few calendar years is searched year by year, each year through an
--    HNSW index of its own (a partial index, built by the ingest for every year with enough
--    rows: headlines_reduced_hnsw_y<year>). The global graph, filtered to one year of
--    nineteen, visits nineteen rows for each one it keeps. A range the year indexes cannot
--    serve more cheaply (most of the table, a year without its index) is searched as before.
-- Off Citus only: there the shards' own indexes serve the range.

-- The year indexes present, with the rows each year holds (headline_days' exact counts).
create function headline_year_indexes()
returns table (year integer, index_name text, headlines bigint)
language sql stable
as $$
  select y.year, c.relname::text, y.headlines
  from (
    select extract(year from d.published_on)::integer as year, sum(d.headlines)::bigint as headlines
    from headline_days d
    group by 1
  ) y
  join pg_class c on c.relname = 'headlines_reduced_hnsw_y' || y.year
  join pg_index i on i.indexrelid = c.oid and i.indrelid = 'headlines'::regclass and i.indisvalid
  order by y.year
$$;

-- The range [lo, hi] as one statement per calendar year (pieces, $1 the reduced query, $2
-- the candidates wanted, $3 what each year's graph gives), each answerable from that
-- year's index; or null when the global graph is the cheaper way: when the range holds
-- more than half the table (a graph filtered to the range visits table/range rows for
-- each one it keeps, under two there), or when a year of the range has no index. A year
-- the range covers for less than a quarter is compared in full from the date-ordered
-- index of reduced vectors (the second sort key keeps the HNSW index out); graph_pieces
-- counts the others.
create function year_pieces(lo date, hi date, in_scope double precision, table_rows double precision, dims integer,
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
  if (select count(*) from headline_year_indexes() x
      where x.year between extract(year from first_day) and extract(year from last_day)) < years then
    return;
  end if;
  pieces := '{}';
  for piece in
    select y.year,
           sum(d.headlines) filter (where d.published_on >= lo and d.published_on <= hi) as in_range,
           sum(d.headlines) as in_year
    from generate_series(extract(year from first_day)::integer, extract(year from last_day)::integer) as y(year)
    join headline_days d on d.published_on >= make_date(y.year, 1, 1) and d.published_on <= make_date(y.year, 12, 31)
    group by y.year
    order by y.year
  loop
    continue when coalesce(piece.in_range, 0) = 0;
    scanned := piece.in_range * 4 <= piece.in_year;
    pieces := pieces || format(
      '(select h.id, %s as distance from headlines h where h.published_on >= %L and h.published_on <= %L order by %s limit %s)',
      distance, greatest(lo, make_date(piece.year, 1, 1)), least(hi, make_date(piece.year, 12, 31)),
      distance || case when scanned then ', h.id' else '' end, case when scanned then '$2' else '$3' end);
    graph_pieces := graph_pieces + case when scanned then 0 else 1 end;
  end loop;
end
$$;

-- A new parameter is a new function: the old ones go, and every caller (hybrid_search,
-- search_by_query, the timelines) finds the new ones by name with the same arguments.
drop function hybrid_search(text, halfvec, integer, date, date);
drop function semantic_search(halfvec, integer, date, date);

create function semantic_search(
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
    ann_query := format(
      'select array_agg(c.id) from (
         select h.id from headlines h
         %s
         order by %s
         limit $4
       ) c',
      case when date_from is null and date_to is null then '' else 'where h.published_on >= $2 and h.published_on <= $3' end,
      ann_order);

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
          -- Each year's graph gives twice its share of the candidates (all of them for one
          -- or two years): between them, still twice as many as are kept, each from a
          -- shorter search than one for them all.
          piece_limit := least(pool, ceil(2.0 * pool / greatest(graph_pieces, 1)));
          perform set_config('hnsw.ef_search', least(greatest(piece_limit, 40), 1000)::text, true);
          execute format(
            'select array_agg(c.id order by c.distance, c.id) from (
               select u.id, u.distance from (%s) u order by u.distance, u.id limit $2
             ) c', array_to_string(pieces, ' union all '))
            into candidates using reduced, pool, piece_limit;
        else
          execute ann_query into candidates using reduced, lo, hi, pool;
        end if;
        exit when coalesce(cardinality(candidates), 0) < pool;

        -- (Not on Citus, which cannot push this window function down to the shards.)
        if cardinality(ranked) = 0 and k <= pool and not distributed then
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

create function hybrid_search(
  query_text text,
  query_embedding halfvec(512),
  k integer default 10,
  date_from date default null,
  date_to date default null,
  query_reduced halfvec default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer,
               score double precision, semantic_rank integer, keyword_rank integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
  depth integer := coalesce(nullif(current_setting('headline_search.fusion_depth', true), '')::integer, 200);
  rrf_k double precision := coalesce(nullif(current_setting('headline_search.rrf_k', true), '')::double precision, 60);
  weight double precision := coalesce(nullif(current_setting('headline_search.keyword_weight', true), '')::double precision, 2);
  excluded tsquery := headline_words_query(headline_excluded_words(query_text));
  corrected text;
  exact_rows integer;
  alone text;
  alternative text;
  wanted integer;
  fetched integer;
  scanned integer;
  sem_ids bigint[];
  sem_similarities double precision[];
  sem_texts text[];
  sem_dates date[];
  kw_ids bigint[];
  kw_similarities double precision[];
  kw_texts text[];
  kw_dates date[];
begin
  if query_embedding is null then
    raise exception 'hybrid_search: query_embedding is null' using errcode = '22004';
  end if;
  if k is null or k < 1 then
    raise exception 'hybrid_search: k must be at least 1, got %', k using errcode = '22023';
  end if;
  if depth < 1 or rrf_k < 0 or weight < 0 then
    raise exception 'hybrid_search: needs fusion_depth >= 1, rrf_k >= 0, keyword_weight >= 0 (got %, %, %)', depth, rrf_k, weight
      using errcode = '22023';
  end if;

  wanted := greatest(depth, k);
  if excluded is null then
    select array_agg(s.id order by s.rank), array_agg(s.similarity order by s.rank),
           array_agg(s.text order by s.rank), array_agg(s.published_on order by s.rank)
      into sem_ids, sem_similarities, sem_texts, sem_dates
    from semantic_search(query_embedding, wanted, date_from, date_to, query_reduced) s;
  else
    fetched := wanted;
    loop
      select array_agg(s.id order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.similarity order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.text order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.published_on order by s.rank) filter (where not h.text_search @@ excluded),
             count(*)
        into sem_ids, sem_similarities, sem_texts, sem_dates, scanned
      from semantic_search(query_embedding, fetched, date_from, date_to, query_reduced) s
      join headlines h on h.id = s.id;
      exit when coalesce(cardinality(sem_ids), 0) >= wanted or scanned < fetched;
      fetched := fetched * 2;
    end loop;
  end if;

  select coalesce(array_agg(w.id order by w.rank), '{}'), coalesce(array_agg(w.similarity order by w.rank), '{}'),
         coalesce(array_agg(w.text order by w.rank), '{}'), coalesce(array_agg(w.published_on order by w.rank), '{}')
    into kw_ids, kw_similarities, kw_texts, kw_dates
  from keyword_search(query_text, query_embedding, depth, date_from, date_to) w;
  exact_rows := cardinality(kw_ids);

  if cardinality(kw_ids) < depth then
    corrected := corrected_query(query_text);
    if corrected is not null then
      select string_agg(distinct c.correction, ' or ') into alone from headline_corrections(query_text) c where c.in_pair;
    end if;
  end if;
  foreach alternative in array array_remove(array[corrected, case when alone is distinct from lower(corrected) then alone end], null) loop
    exit when cardinality(kw_ids) >= depth;
    select kw_ids || coalesce(array_agg(w.id order by w.rank), '{}'), kw_similarities || coalesce(array_agg(w.similarity order by w.rank), '{}'),
           kw_texts || coalesce(array_agg(w.text order by w.rank), '{}'), kw_dates || coalesce(array_agg(w.published_on order by w.rank), '{}')
      into kw_ids, kw_similarities, kw_texts, kw_dates
    from (
      select c.* from keyword_search(alternative, query_embedding, depth, date_from, date_to) c
      where not c.id = any(kw_ids)
      order by c.rank
      limit depth - cardinality(kw_ids)
    ) w;
  end loop;

  return query
    select f.id, f.published_on, f.text, f.similarity, f.position::integer, f.score, f.semantic_rank, f.keyword_rank
    from (
      select g.*, row_number() over (order by g.beyond, g.score desc, g.similarity desc, g.id) as position
      from (
        -- Rows found through a correction only are scaled, all by one factor (their order
        -- kept), to rank below the lowest exact keyword match when they would reach it.
        select c.id, c.published_on, c.text, c.similarity, c.beyond, c.semantic_rank, c.keyword_rank,
               case when c.corrected and c.lowest_exact <= c.highest_corrected
                    then c.score * c.lowest_exact / c.highest_corrected * 0.999
                    else c.score end as score
        from (
          select b.*, min(b.score) filter (where b.keyword_rank <= exact_rows) over () as lowest_exact,
                 max(b.score) filter (where b.corrected) over () as highest_corrected
          from (
            select coalesce(s.id, w.id) as id,
                   coalesce(s.published_on, w.published_on) as published_on,
                   coalesce(s.text, w.text) as text,
                   coalesce(s.similarity, w.similarity) as similarity,
                   coalesce(s.position > depth and w.id is null, false) as beyond,
                   case when s.position <= depth or w.id is null then s.position::integer end as semantic_rank,
                   w.position::integer as keyword_rank,
                   coalesce(w.position > exact_rows, false) as corrected,
                   case when s.position > depth and w.id is null then 1 / (rrf_k + s.position)
                        else coalesce(1 / (rrf_k + case when s.position <= depth then s.position end), 0)
                             + coalesce(weight / (rrf_k + w.position), 0)
                   end as score
            from unnest(sem_ids, sem_similarities, sem_texts, sem_dates) with ordinality as s(id, similarity, text, published_on, position)
            full join unnest(kw_ids, kw_similarities, kw_texts, kw_dates) with ordinality as w(id, similarity, text, published_on, position)
              on w.id = s.id
          ) b
        ) c
      ) g
    ) f
    where f.position <= k
    order by f.position;
end
$$;

alter function semantic_search(halfvec, integer, date, date, halfvec) set jit = off;
alter function semantic_search(halfvec, integer, date, date, halfvec) set plan_cache_mode = force_custom_plan;
do $citus$
begin
  if headlines_distributed() then
    alter function semantic_search(halfvec, integer, date, date, halfvec) set citus.propagate_set_commands = 'local';
  end if;
end
$citus$;
