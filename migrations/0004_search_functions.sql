-- The search primitives, in the database so that SQL users and the API run the very same
-- code. Tunables are custom settings (SET headline_search.candidates = 400; ...):
--   headline_search.candidates       ANN candidates re-ranked by the full vectors (default 200)
--   headline_search.exact_scan_rows  at or below this many (estimated) rows in scope, scan
--                                    them exactly instead of using the ANN index (default 10000)

-- The stored projection applied to a full embedding: reduced[c] = (x - mean) . basis[c],
-- as k inner products with pgvector's own operator (microseconds, no PL/pgSQL loop).
create function project_embedding(query_embedding halfvec)
returns halfvec
language sql stable parallel safe
as $$
  select case
    when p.kind = 'none' then query_embedding
    else (
      select array_agg(
               -((case when p.mean is null then query_embedding::vector else query_embedding::vector - p.mean end) <#> b.direction)
               order by b.component
             )::real[]::vector::halfvec
      from projection_basis b
    )
  end
  from projection p
  where p.id = 1
$$;

-- Planner's estimate of the rows in a date range (or the whole table), without counting.
create function headline_rows_estimate(date_from date, date_to date)
returns double precision
language plpgsql volatile
as $$
declare
  plan json;
begin
  execute format(
    'explain (format json) select 1 from headlines where published_on >= %L and published_on <= %L',
    coalesce(date_from, '-infinity'::date), coalesce(date_to, 'infinity'::date)
  ) into plan;
  return (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
end
$$;

-- Top-k headlines by cosine similarity of the full 512-d embeddings, most similar first,
-- ties by id. Narrow scopes are scanned exactly; otherwise the HNSW index on the reduced
-- vectors proposes candidates (iterative scan when filtered) that are re-ranked exactly.
create function semantic_search(
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
  pool integer;
  exact_rows double precision;
  filtered boolean := date_from is not null or date_to is not null;
  lo date := coalesce(date_from, '-infinity'::date);
  hi date := coalesce(date_to, 'infinity'::date);
  candidates bigint[];
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
    perform set_config('hnsw.ef_search', least(greatest(pool, 40), 1000)::text, true);
    if filtered then
      -- pgvector 0.8: keep scanning the graph until enough rows pass the filter.
      perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
      perform set_config('hnsw.max_scan_tuples', '200000', true);
    end if;
    execute format(
      'select array_agg(c.id) from (
         select h.id from headlines h
         where h.published_on >= $2 and h.published_on <= $3
         order by h.embedding_reduced::halfvec(%s) <=> $1::halfvec(%s)
         limit $4
       ) c', dims, dims)
    into candidates
    using project_embedding(query_embedding), lo, hi, pool;
  end if;

  if candidates is not null and cardinality(candidates) >= least(k, pool) then
    return query
      select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision,
             (row_number() over (order by h.embedding <=> query_embedding, h.id))::integer
      from headlines h
      where h.id = any(candidates)
      order by h.embedding <=> query_embedding, h.id
      limit k;
  else
    -- Small scope, or the index ran out of rows inside the range: exact answer.
    return query
      select h.id, h.published_on, h.text, 1 - (h.embedding <=> query_embedding)::double precision,
             (row_number() over (order by h.embedding <=> query_embedding, h.id))::integer
      from headlines h
      where h.published_on >= lo and h.published_on <= hi
      order by h.embedding <=> query_embedding, h.id
      limit k;
  end if;
end
$$;

-- Headlines closest to headline `headline_id`, itself excluded; empty if it does not exist.
create function similar_headlines(
  headline_id bigint,
  k integer default 10,
  date_from date default null,
  date_to date default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer)
language sql volatile
as $$
  select s.id, s.published_on, s.text, s.similarity, (row_number() over (order by s.rank))::integer
  from headlines self
  cross join lateral semantic_search(self.embedding, k + 1, date_from, date_to) s
  where self.id = headline_id and s.id <> headline_id
  order by s.rank
  limit k
$$;
