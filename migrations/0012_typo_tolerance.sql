-- Typo-tolerant names and suggestions as you type, from the corpus's own words.
--
-- headline_terms: every word of the headlines (as headline_words reads them: lower case, no
-- stop words) and every pair of adjacent words (multi-word names: "bin laden", "julia
-- gillard"), with how many headlines contain each. Statement triggers keep it current as
-- rows are loaded (like headline_days in 0008): one grouped upsert per load batch, and an
-- ingest re-run adds nothing because its duplicates are never inserted.
--
-- Tunables, per session or per database (SET headline_search.typo_similarity = 0.5; ...):
--   headline_search.typo_similarity   least pg_trgm similarity of a correction (default 0.3)
--   headline_search.typo_min_headlines headlines a word needs to be a correction, and below
--                                      which a query word may be corrected (default 3)
--   headline_search.typo_frequency_weight  how much a correction's commonness counts against
--                                      its similarity, per e-fold of headlines (default 0.1)
create extension if not exists pg_trgm;

create table headline_terms (
  term text primary key,
  -- 1: a word, 2: two adjacent words.
  words smallint not null,
  headlines integer not null check (headlines >= 0)
);

-- The distinct terms of one headline. A stop word keeps its position in the tsvector, so
-- words it separates ("man in court") do not make a pair.
create function headline_terms_of(headline_text text)
returns table (term text)
language sql immutable parallel safe
as $$
  with w as (
    select l.lexeme, p.pos
    from unnest(to_tsvector('headline_words', coalesce(headline_text, ''))) l,
         unnest(l.positions) p(pos)
    where length(l.lexeme) <= 40
  )
  select w.lexeme from w
  union
  select a.lexeme || ' ' || b.lexeme from w a join w b on b.pos = a.pos + 1
$$;


-- Counts the terms of newly stored headlines. Upserts in term order, so that concurrent load
-- batches take row locks in one order. The triggers below call it; on Citus, where a
-- distributed table takes no triggers, ingest calls it with each batch's inserted texts.
-- PL/pgSQL, not SQL: Citus cannot plan an SQL function's statement with parameters.
create function headline_terms_add(texts text[]) returns void
language plpgsql
as $$
begin
  insert into headline_terms as t (term, words, headlines)
  select x.term, case when strpos(x.term, ' ') > 0 then 2 else 1 end, count(*)::integer
  from unnest(texts) n(text), headline_terms_of(n.text) x
  group by x.term
  order by x.term
  on conflict (term) do update set headlines = t.headlines + excluded.headlines;
end
$$;

-- The whole list counted again from headlines. Where triggers keep it (one server, PGlite)
-- it is never needed; on Citus, after rows are deleted (ingest only adds), run it as
-- refresh_headline_days() is run.
create function refresh_headline_terms() returns void
language plpgsql
as $$
begin
  execute 'lock table headlines in share mode';
  delete from headline_terms;
  insert into headline_terms (term, words, headlines)
  select x.term, case when strpos(x.term, ' ') > 0 then 2 else 1 end, count(*)::integer
  from headlines h, headline_terms_of(h.text) x
  group by x.term;
end
$$;

create function headline_terms_count() returns trigger
language plpgsql
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    perform headline_terms_add(array(select n.text from new_rows n));
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update headline_terms t set headlines = t.headlines - g.n
    from (
      select x.term, count(*)::integer as n
      from old_rows o, headline_terms_of(o.text) x
      group by x.term
    ) g
    where t.term = g.term;
    -- A statement of its own: a delete beside the update would not see the new counts.
    delete from headline_terms t
    where t.headlines <= 0
      and t.term in (select x.term from old_rows o, headline_terms_of(o.text) x);
  end if;
  return null;
end
$$;

create function headline_terms_clear() returns trigger
language plpgsql
as $$
begin
  delete from headline_terms;
  return null;
end
$$;

-- A table Citus has distributed (migration 0011) takes no triggers: there ingest keeps the
-- counts (headline_terms_add), and the list becomes a reference table (at the end).
do $terms$
declare
  distributed boolean := false;
begin
  -- Nested, so that pg_dist_partition is looked up only where Citus is installed.
  if exists (select 1 from pg_extension where extname = 'citus') then
    distributed := exists (select 1 from pg_dist_partition where logicalrelid = 'headlines'::regclass);
  end if;
  if not distributed then
    execute $t$ create trigger headline_terms_insert after insert on headlines
    referencing new table as new_rows
    for each statement execute function headline_terms_count() $t$;

    execute $t$ create trigger headline_terms_update after update on headlines
    referencing old table as old_rows new table as new_rows
    for each statement execute function headline_terms_count() $t$;

    execute $t$ create trigger headline_terms_delete after delete on headlines
    referencing old table as old_rows
    for each statement execute function headline_terms_count() $t$;

    execute $t$ create trigger headline_terms_truncate after truncate on headlines
    for each statement execute function headline_terms_clear() $t$;
  end if;
end
$terms$;

-- The count of what is loaded already, under a lock: SHARE mode waits for every writer in
-- flight and admits no new one until commit, while the triggers above exist, so no row
-- committed meanwhile is missed or counted twice. Reads go on meanwhile.
-- The lock is taken inside the function: Citus propagates a top-level LOCK with the whole
-- migration's text, which a worker refuses as several commands in one prepared statement.
select refresh_headline_terms();

-- Prefix ranges for suggest (bytewise, so a range is exactly the terms starting with it),
-- and the most frequent terms first for short prefixes that match too many to sort.
create index headline_terms_prefix_idx on headline_terms (term collate "C");
create index headline_terms_frequency_idx on headline_terms (headlines desc, term collate "C");
-- Correction candidates: terms in at least 3 headlines (the default typo_min_headlines; a
-- word rarer than that is as likely a typo itself). A lower setting finds none below 3.
create index headline_terms_trigram_idx on headline_terms using gin (term gin_trgm_ops) where headlines >= 3;

-- How many headlines contain a term (0 if none).
create function headline_term_headlines(word text)
returns integer
language sql stable parallel safe
as $$
  select coalesce((select t.headlines from headline_terms t where t.term = word), 0)
$$;

-- The corrections of a query (in_pair: the correction and a query word next to it make a
-- word pair of the corpus, as names do, however rare): each query word (stop words and -excluded words left out) in
-- fewer than typo_min_headlines headlines, of at least 3 letters and not a number, with the
-- corpus term closest to it by trigram similarity (at least typo_similarity), weighed
-- with how common the term is. A pair of adjacent query words is tried first against the corpus's
-- word pairs ("bin ladin" -> "bin laden": the pair shares more trigrams than the lone
-- word); a pair may change only its rare words, and is weighed by those words' own
-- similarity (the unchanged word would make every pair with it look alike). A word found in typo_min_headlines
-- headlines or more is never corrected.
create function headline_corrections(query_text text)
returns table (word text, correction text, similarity double precision, headlines integer, in_pair boolean)
language plpgsql stable
as $$
#variable_conflict use_column
declare
  min_similarity double precision := coalesce(nullif(current_setting('headline_search.typo_similarity', true), '')::double precision, 0.3);
  min_headlines integer := coalesce(nullif(current_setting('headline_search.typo_min_headlines', true), '')::integer, 3);
  -- Among close candidates the commoner wins ("haward": "howard" over "hard", though
  -- "hard" shares more trigrams): this much similarity per e-fold of headlines.
  frequency_weight double precision := coalesce(nullif(current_setting('headline_search.typo_frequency_weight', true), '')::double precision, 0.1);
  qwords text[];
  qrare boolean[];
  done boolean[];
  i integer;
  best record;
begin
  select array_agg(q.lexeme order by q.pos), array_agg(q.rare order by q.pos)
    into qwords, qrare
  from (
    select l.lexeme, l.positions[1] as pos,
           length(l.lexeme) >= 3 and l.lexeme !~ '\d' and headline_term_headlines(l.lexeme) < min_headlines as rare
    from unnest(to_tsvector('headline_words', coalesce(query_text, ''))) l
    where not l.lexeme = any(tsvector_to_array(to_tsvector('headline_words', coalesce(headline_excluded_words(query_text), ''))))
  ) q;
  if qwords is null or not (true = any(qrare)) then
    return;
  end if;
  done := array_fill(false, array[cardinality(qwords)]);

  -- Pairs of adjacent words (in query order) with a rare word in them.
  for i in 1 .. cardinality(qwords) - 1 loop
    continue when done[i] or not (qrare[i] or qrare[i + 1]);
    select t.term, similarity(t.term, qwords[i] || ' ' || qwords[i + 1]) as sim, t.headlines
      into best
    from headline_terms t
    where t.term % (qwords[i] || ' ' || qwords[i + 1])
      and t.headlines >= 3 and t.headlines >= min_headlines and t.words = 2
      and (case when qrare[i] then similarity(split_part(t.term, ' ', 1), qwords[i]) >= min_similarity
                else split_part(t.term, ' ', 1) = qwords[i] end)
      and (case when qrare[i + 1] then similarity(split_part(t.term, ' ', 2), qwords[i + 1]) >= min_similarity
                else split_part(t.term, ' ', 2) = qwords[i + 1] end)
    order by (case when qrare[i] then similarity(split_part(t.term, ' ', 1), qwords[i]) else 0 end
              + case when qrare[i + 1] then similarity(split_part(t.term, ' ', 2), qwords[i + 1]) else 0 end)
             / (qrare[i]::integer + qrare[i + 1]::integer)
             + frequency_weight * ln(t.headlines) desc, t.term
    limit 1;
    if best.term is not null and best.sim >= min_similarity then
      if qrare[i] then
        word := qwords[i]; correction := split_part(best.term, ' ', 1); similarity := best.sim; headlines := best.headlines; in_pair := true;
        return next;
      end if;
      if qrare[i + 1] then
        word := qwords[i + 1]; correction := split_part(best.term, ' ', 2); similarity := best.sim; headlines := best.headlines; in_pair := true;
        return next;
      end if;
      done[i] := true;
      done[i + 1] := true;
    end if;
  end loop;

  for i in 1 .. cardinality(qwords) loop
    continue when done[i] or not qrare[i];
    select t.term, similarity(t.term, qwords[i]) as sim, t.headlines
      into best
    from headline_terms t
    where t.term % qwords[i] and t.headlines >= 3 and t.headlines >= min_headlines and t.words = 1
    order by similarity(t.term, qwords[i]) + frequency_weight * ln(t.headlines) desc, t.term
    limit 1;
    if best.term is not null and best.sim >= min_similarity then
      word := qwords[i]; correction := best.term; similarity := best.sim; headlines := best.headlines;
      -- A name whose full form is rare in headlines ("mark latham": surnames stand alone).
      in_pair := exists (
        select 1 from headline_terms t
        where (i > 1 and t.term = qwords[i - 1] || ' ' || best.term)
           or (i < cardinality(qwords) and t.term = best.term || ' ' || qwords[i + 1]));
      return next;
    end if;
  end loop;
end
$$;

-- The query with its corrections in place of the misspelled words (quotes, -exclusions and
-- "or" kept), or null when nothing was corrected: what "showing results for" shows.
create function corrected_query(query_text text)
returns text
language plpgsql stable
as $$
declare
  fixed text;
  c record;
begin
  for c in select * from headline_corrections(query_text) loop
    fixed := regexp_replace(coalesce(fixed, query_text), '\m' || regexp_replace(c.word, '([.^$*+?()[\]{}|\\-])', '\\\1', 'g') || '\M', c.correction, 'gi');
  end loop;
  return fixed;
end
$$;

-- What a search reports as "showing results for": the corrected query when hybrid_search
-- (with the same settings and dates) searches it, that is when there are corrections and
-- the exact matches do not already fill the keyword side; null otherwise.
create function search_correction(query_text text, date_from date default null, date_to date default null)
returns text
language plpgsql stable
as $$
declare
  depth integer := coalesce(nullif(current_setting('headline_search.fusion_depth', true), '')::integer, 200);
  corrected text := corrected_query(query_text);
begin
  if corrected is null or (select count(*) from keyword_search(query_text, null, depth, date_from, date_to)) >= depth then
    return null;
  end if;
  return corrected;
end
$$;

-- matched_terms of the query, then those of its correction that the query's own words did
-- not match: the corpus words a front end highlights, corrections included.
create function matched_terms(query_text text, headline_text text, corrected_text text)
returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(m.term order by m.n), '{}')
  from (
    select distinct on (t.term) t.term, t.n
    from unnest(matched_terms(query_text, headline_text) || case when corrected_text is null then '{}'::text[] else matched_terms(corrected_text, headline_text) end)
      with ordinality as t(term, n)
    order by t.term, t.n
  ) m
$$;

-- 0006's hybrid_search with typo tolerance: when the query has corrections, the keyword
-- side's exact matches are followed by the corrected query's matches not among them, then,
-- for corrections that make a word pair of the corpus with a query word (in_pair), by
-- those of the corrected words alone ("julia gilard": "julia gillard", then "gillard"), up to fusion_depth rows in
-- all. A full name is in few headlines, and its surname is what the query is about; a
-- corrected word of a topical query ("alcohol fuelled violence": "fuel") is not, and
-- alone it would crowd out the meaning's results. Rows found through a correction only
-- never rank above an exact keyword match. An exact word, phrase or name
-- keeps its place ahead of every near miss; a query whose words all occur is ranked as
-- before, without looking for corrections.
create or replace function hybrid_search(
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

-- Completions of what has been typed: the corpus's words and word pairs that start with
-- the prefix's last word (or last two words), most headlines first, ties alphabetical.
-- Words typed before those are kept in front of each completion. A prefix matching at
-- most 5,000 terms is sorted whole; a shorter, commoner one walks the terms by frequency
-- until `first` of them match, so neither case reads much of the list.
create function suggest(prefix text, first integer default 8)
returns table (text text, headlines integer)
language plpgsql stable
as $$
#variable_conflict use_column
declare
  typed text[] := regexp_split_to_array(lower(ltrim(regexp_replace(coalesce(prefix, ''), '\s+', ' ', 'g'))), ' ');
  head text := '';
  tail text;
  upper_bound text;
  range_terms text[];
  range_headlines integer[];
begin
  if first is null or first < 1 or first > 100 then
    raise exception 'suggest: first must be from 1 to 100, got %', first using errcode = '22023';
  end if;
  if typed = '{""}' then
    return;
  end if;
  if cardinality(typed) > 2 then
    head := array_to_string(typed[1 : cardinality(typed) - 2], ' ') || ' ';
    typed := typed[cardinality(typed) - 1 :];
  end if;
  tail := array_to_string(typed, ' ');
  upper_bound := tail || chr(1114111);
  -- The range alone first (no ordering, so the prefix index reads it), capped.
  select array_agg(t.term), array_agg(t.headlines) into range_terms, range_headlines
  from (select t.term, t.headlines from headline_terms t
        where t.term collate "C" >= tail and t.term collate "C" < upper_bound collate "C"
        limit 5001) t;
  if coalesce(cardinality(range_terms), 0) <= 5000 then
    return query
      select head || r.term, r.headlines
      from unnest(range_terms, range_headlines) r(term, headlines)
      order by r.headlines desc, r.term collate "C"
      limit first;
  else
    return query
      select head || t.term, t.headlines
      from headline_terms t
      where starts_with(t.term, tail)
      order by t.headlines desc, t.term collate "C"
      limit first;
  end if;
end
$$;

-- On Citus, last, once the list has its rows and indexes: a reference table, copied to every
-- node, so that searches planned on any node read it locally.
do $reference$
begin
  if exists (select 1 from pg_extension where extname = 'citus') then
    if exists (select 1 from pg_dist_partition where logicalrelid = 'headlines'::regclass) then
      perform create_reference_table('headline_terms');
    end if;
  end if;
end
$reference$;
