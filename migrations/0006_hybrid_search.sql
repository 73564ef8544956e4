-- Hybrid search: PostgreSQL full-text search beside the vectors, fused with Reciprocal Rank
-- Fusion, as SQL functions so that SQL users and the API run the same code (like 0004).
-- Tunables, per session or per database (SET headline_search.rrf_k = 30; ...):
--   headline_search.fusion_depth    rows taken from each side before fusing (default 200)
--   headline_search.rrf_k           RRF's rank constant k in 1/(k + rank) (default 60)
--   headline_search.keyword_weight  weight of the keyword side's 1/(k + rank) (default 2)

-- Words as written, no stemming: stemming merges names with common words ("warne" and
-- "warned" both become "warn"), and names are what the keyword side is for. English stop
-- words are dropped so that they neither have to match nor make a query.
create text search dictionary headline_words (template = simple, stopwords = english);
create text search configuration headline_words (copy = simple);
alter text search configuration headline_words
  alter mapping for asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
  with headline_words;

-- Adding a stored column rewrites a loaded table and rebuilds its indexes (HNSW included):
-- give that rebuild the memory the ingest's own build gets in either database mode.
set local maintenance_work_mem = '256MB';
alter table headlines add column text_search tsvector generated always as (to_tsvector('headline_words', text)) stored;
create index headlines_text_search_idx on headlines using gin (text_search);

-- The query as websearch_to_tsquery reads it ("a phrase", -word, or), or null when it has
-- nothing to look for: only stop words or punctuation, or only negations (which no index
-- can answer). Checking the words first keeps PostgreSQL from emitting a NOTICE.
create function headline_words_query(query_text text)
returns tsquery
language sql immutable parallel safe
as $$
  select case when q is not null and querytree(q) <> 'T' then q end
  from (
    select case when length(to_tsvector('headline_words', coalesce(query_text, ''))) > 0
                then websearch_to_tsquery('headline_words', query_text) end as q
  ) parsed
$$;

-- The -word and -"some phrase" parts of a query, joined by "or"; null if there are none.
-- Every mode that reads the words keeps rows containing them out of its results, the
-- vector side of hybrid_search included.
create function headline_excluded_words(query_text text)
returns text
language sql immutable parallel safe
as $$
  select string_agg(m[1], ' or ')
  from regexp_matches(coalesce(query_text, ''), '(?:^|\s)-+\s*("[^"]*"?|[^\s"]+)', 'g') as m
$$;

-- The query's words (stop words and excluded words left out) that occur in the headline,
-- in query order: what a front end highlights.
create function matched_terms(query_text text, headline_text text)
returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(q.lexeme order by q.positions[1]), '{}')
  from unnest(to_tsvector('headline_words', coalesce(query_text, ''))) as q
  where q.lexeme = any(tsvector_to_array(to_tsvector('headline_words', coalesce(headline_text, ''))))
    and not q.lexeme = any(tsvector_to_array(to_tsvector('headline_words', coalesce(headline_excluded_words(query_text), ''))))
$$;

-- Headlines containing the query's words, best text match first (ts_rank_cd: more matches,
-- closer together). Most headlines mention a word once, so text ranks tie often; ties go
-- to the full-vector similarity to query_embedding when one is given, then to the id.
-- Exact (no ANN), so a date range never shortens the answer.
create function keyword_search(
  query_text text,
  query_embedding halfvec(512) default null,
  k integer default 10,
  date_from date default null,
  date_to date default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer,
               score double precision, semantic_rank integer, keyword_rank integer)
language plpgsql stable
as $$
#variable_conflict use_column
declare
  q tsquery := headline_words_query(query_text);
  excluded tsquery := headline_words_query(headline_excluded_words(query_text));
  lo date := coalesce(date_from, '-infinity'::date);
  hi date := coalesce(date_to, 'infinity'::date);
begin
  if k is null or k < 1 then
    raise exception 'keyword_search: k must be at least 1, got %', k using errcode = '22023';
  end if;
  if q is null then
    return;
  end if;
  if date_from is null and date_to is null then
    -- Only the text index applies: a cached plan serves every query.
    return query
      select m.id, m.published_on, m.text, 1 - m.distance, m.position::integer, m.score, null::integer, m.position::integer
      from (
        select t.*, row_number() over (order by t.score desc, t.distance, t.id) as position
        from (
          select h.id, h.published_on, h.text, ts_rank_cd(h.text_search, q)::double precision as score,
                 (h.embedding <=> query_embedding)::double precision as distance
          from headlines h
          where h.text_search @@ q
            and (excluded is null or not h.text_search @@ excluded)
          order by score desc, distance, h.id
          limit k
        ) t
      ) m
      order by m.position;
  else
    -- A plan for these very dates and words: a cached one would read the date index for
    -- the whole table when the range is wide, or miss it when the range is narrow.
    return query execute
      'select m.id, m.published_on, m.text, 1 - m.distance, m.position::integer, m.score, null::integer, m.position::integer
       from (
         select t.*, row_number() over (order by t.score desc, t.distance, t.id) as position
         from (
           select h.id, h.published_on, h.text, ts_rank_cd(h.text_search, $1)::double precision as score,
                  (h.embedding <=> $2)::double precision as distance
           from headlines h
           where h.text_search @@ $1
             and h.published_on >= $3 and h.published_on <= $4
             and ($5 is null or not h.text_search @@ $5)
           order by score desc, distance, h.id
           limit $6
         ) t
       ) m
       order by m.position'
      using q, query_embedding, lo, hi, excluded, k;
  end if;
end
$$;

-- Keyword and vector search fused by weighted Reciprocal Rank Fusion:
--   score = 1/(rrf_k + semantic rank) + keyword_weight/(rrf_k + keyword rank)
-- over the top fusion_depth rows of each side (semantic_search and keyword_search, the
-- date range applied to both), best first; ties by similarity, then id. Past the fused
-- rows the ranking goes on in semantic order (score 1/(rrf_k + semantic rank)), so deep
-- pages and date ranges never come up short. The fused part does not depend on k, so a
-- smaller k gives a prefix of a larger one, which is what cursor paging needs.
-- A query with nothing to look for in the text (only stop words) is semantic alone.
create function hybrid_search(
  query_text text,
  query_embedding halfvec(512),
  k integer default 10,
  date_from date default null,
  date_to date default null
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

  -- The vector side: enough rows for the fusion and for k. Excluded rows are left out,
  -- asking for more while they thin the list and the range still has rows.
  wanted := greatest(depth, k);
  if excluded is null then
    select array_agg(s.id order by s.rank), array_agg(s.similarity order by s.rank),
           array_agg(s.text order by s.rank), array_agg(s.published_on order by s.rank)
      into sem_ids, sem_similarities, sem_texts, sem_dates
    from semantic_search(query_embedding, wanted, date_from, date_to) s;
  else
    fetched := wanted;
    loop
      select array_agg(s.id order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.similarity order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.text order by s.rank) filter (where not h.text_search @@ excluded),
             array_agg(s.published_on order by s.rank) filter (where not h.text_search @@ excluded),
             count(*)
        into sem_ids, sem_similarities, sem_texts, sem_dates, scanned
      from semantic_search(query_embedding, fetched, date_from, date_to) s
      join headlines h on h.id = s.id;
      exit when coalesce(cardinality(sem_ids), 0) >= wanted or scanned < fetched;
      fetched := fetched * 2;
    end loop;
  end if;

  select array_agg(w.id order by w.rank), array_agg(w.similarity order by w.rank),
         array_agg(w.text order by w.rank), array_agg(w.published_on order by w.rank)
    into kw_ids, kw_similarities, kw_texts, kw_dates
  from keyword_search(query_text, query_embedding, depth, date_from, date_to) w;

  -- Plain arrays on both sides keep this statement cheap to plan and run.
  return query
    select f.id, f.published_on, f.text, f.similarity, f.position::integer, f.score, f.semantic_rank, f.keyword_rank
    from (
      select c.*, row_number() over (order by c.beyond, c.score desc, c.similarity desc, c.id) as position
      from (
        select coalesce(s.id, w.id) as id,
               coalesce(s.published_on, w.published_on) as published_on,
               coalesce(s.text, w.text) as text,
               coalesce(s.similarity, w.similarity) as similarity,
               coalesce(s.position > depth and w.id is null, false) as beyond,
               case when s.position <= depth or w.id is null then s.position::integer end as semantic_rank,
               w.position::integer as keyword_rank,
               case when s.position > depth and w.id is null then 1 / (rrf_k + s.position)
                    else coalesce(1 / (rrf_k + case when s.position <= depth then s.position end), 0)
                         + coalesce(weight / (rrf_k + w.position), 0)
               end as score
        from unnest(sem_ids, sem_similarities, sem_texts, sem_dates) with ordinality as s(id, similarity, text, published_on, position)
        full join unnest(kw_ids, kw_similarities, kw_texts, kw_dates) with ordinality as w(id, similarity, text, published_on, position)
          on w.id = s.id
      ) c
    ) f
    where f.position <= k
    order by f.position;
end
$$;

-- search_by_query() in any mode: 'hybrid' (the API's default), 'semantic' or 'keyword'.
-- Replaces 0005's version, which was semantic only and had fewer columns.
drop function search_by_query(bigint, integer, date, date);
create function search_by_query(
  query_id bigint,
  k integer default 10,
  date_from date default null,
  date_to date default null,
  mode text default 'hybrid'
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer,
               score double precision, semantic_rank integer, keyword_rank integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
  q search_queries%rowtype;
begin
  if mode is null or mode not in ('hybrid', 'semantic', 'keyword') then
    raise exception 'search_by_query: mode must be ''hybrid'', ''semantic'' or ''keyword'', got %', coalesce(mode, 'null') using errcode = '22023';
  end if;
  select * into q from search_queries where search_queries.id = query_id;
  if not found then
    raise exception 'search_by_query: no search query with id %', query_id using errcode = 'P0002';
  end if;
  if q.error is not null then
    raise exception 'search_by_query: query % could not be embedded: %', query_id, q.error using errcode = '22023';
  end if;
  if q.embedding is null then
    raise exception 'search_by_query: query % is not embedded yet; is the server or `headlines embed-queries --watch` running?', query_id
      using errcode = '55000';
  end if;
  if mode = 'hybrid' then
    return query select * from hybrid_search(q.text, q.embedding, k, date_from, date_to);
  elsif mode = 'keyword' then
    return query select * from keyword_search(q.text, q.embedding, k, date_from, date_to);
  else
    return query
      select s.id, s.published_on, s.text, s.similarity, s.rank, s.similarity, s.rank, null::integer
      from semantic_search(q.embedding, k, date_from, date_to) s;
  end if;
end
$$;
