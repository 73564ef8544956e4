-- For front ends: how a topic's coverage runs over time (semantic_timeline), and the
-- near-duplicate pairs among a ranking that the API's collapse folds together.

-- Headlines per day, kept by statement triggers, so that a timeline's shares (matches over
-- all headlines in a period) add up a few thousand days instead of counting the corpus.
create table headline_days (
  published_on date primary key,
  headlines integer not null check (headlines >= 0)
);

insert into headline_days (published_on, headlines)
select published_on, count(*)::integer from headlines group by published_on;

create function headline_days_count() returns trigger
language plpgsql
as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    insert into headline_days as d (published_on, headlines)
    select n.published_on, count(*)::integer from new_rows n group by n.published_on
    on conflict (published_on) do update set headlines = d.headlines + excluded.headlines;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    update headline_days d set headlines = d.headlines - o.n
    from (select o.published_on, count(*)::integer as n from old_rows o group by o.published_on) o
    where d.published_on = o.published_on;
    delete from headline_days d where d.headlines = 0;
  end if;
  return null;
end
$$;

create trigger headline_days_insert after insert on headlines
referencing new table as new_rows
for each statement execute function headline_days_count();

create trigger headline_days_update after update on headlines
referencing old table as old_rows new table as new_rows
for each statement execute function headline_days_count();

create trigger headline_days_delete after delete on headlines
referencing old table as old_rows
for each statement execute function headline_days_count();

create function headline_days_clear() returns trigger
language plpgsql
as $$
begin
  delete from headline_days;
  return null;
end
$$;

create trigger headline_days_truncate after truncate on headlines
for each statement execute function headline_days_clear();

-- Matches per period: `ranked` holds headline ids best first (a search's top N). Every
-- period from the first to the last day in scope is present, empty ones with count 0, so a
-- chart needs no gap filling; the scope is the corpus's span clipped to date_from..date_to.
-- share = count / headlines of the period inside that scope (0 for a period with none);
-- the top headline is the period's best-ranked match.
create function timeline_of(
  ranked bigint[],
  bucket text default 'year',
  date_from date default null,
  date_to date default null
)
returns table (period date, count integer, share double precision,
               top_headline_id bigint, top_published_on date, top_text text)
language plpgsql stable
as $$
#variable_conflict use_column
declare
  unit text := lower(bucket);
  first_day date;
  last_day date;
begin
  if unit is null or unit not in ('year', 'month', 'day') then
    raise exception 'timeline: bucket must be year, month or day, got %', bucket using errcode = '22023';
  end if;
  select greatest(min(d.published_on), date_from), least(max(d.published_on), date_to)
    into first_day, last_day
  from headline_days d;
  if first_day is null or first_day > last_day then
    return;
  end if;
  return query
    with periods as (
      select p::date as period
      from generate_series(date_trunc(unit, first_day::timestamp), date_trunc(unit, last_day::timestamp), ('1 ' || unit)::interval) p
    ),
    totals as (
      select date_trunc(unit, d.published_on::timestamp)::date as period, sum(d.headlines)::bigint as total
      from headline_days d
      where d.published_on between first_day and last_day
      group by 1
    ),
    matches as (
      select date_trunc(unit, h.published_on::timestamp)::date as period, count(*)::integer as n,
             (array_agg(h.id order by m.position))[1] as top_id
      from unnest(ranked) with ordinality as m(id, position)
      join headlines h on h.id = m.id
      group by 1
    )
    select p.period, coalesce(m.n, 0),
           case when coalesce(t.total, 0) = 0 then 0 else coalesce(m.n, 0)::double precision / t.total end,
           m.top_id, h.published_on, h.text
    from periods p
    left join totals t on t.period = p.period
    left join matches m on m.period = p.period
    left join headlines h on h.id = m.top_id
    order by p.period;
end
$$;

-- A timeline's `top`, checked: at most 5000 matches are counted.
create function timeline_top(top integer)
returns integer
language plpgsql immutable
as $$
begin
  if top is null or top < 1 or top > 5000 then
    raise exception 'timeline: top must be from 1 to 5000, got %', top using errcode = '22023';
  end if;
  return top;
end
$$;

-- The timeline of a query: how many of its `top` best matches (semantic_search, the date
-- range applied) fall in each year, month or day. Counts are over those matches, not over
-- every headline about the topic, like a kNN aggregation.
create function semantic_timeline(query_embedding halfvec(512), bucket text default 'year', top integer default 1000, date_from date default null, date_to date default null)
returns table (period date, count integer, share double precision, top_headline_id bigint, top_published_on date, top_text text)
language sql volatile
as $$
  select * from timeline_of(
    (select coalesce(array_agg(s.id order by s.rank), '{}') from semantic_search(query_embedding, timeline_top(top), date_from, date_to) s),
    bucket, date_from, date_to)
$$;

-- "This story over time": the timeline of headline `headline_id`'s nearest neighbours
-- (similar_headlines, itself excluded).
create function similar_timeline(headline_id bigint, bucket text default 'year', top integer default 1000, date_from date default null, date_to date default null)
returns table (period date, count integer, share double precision, top_headline_id bigint, top_published_on date, top_text text)
language sql volatile
as $$
  select * from timeline_of(
    (select coalesce(array_agg(s.id order by s.rank), '{}') from similar_headlines(headline_id, timeline_top(top), date_from, date_to) s),
    bucket, date_from, date_to)
$$;

-- Pairs among `ranked` (headline ids best first) whose full-vector cosine similarity is at
-- least min_similarity, the earlier-ranked one first: what collapsing near-duplicates in a
-- ranking needs, and nothing more (one pass over the pairs, no vectors leave the database).
create function near_duplicate_pairs(ranked bigint[], min_similarity double precision)
returns table (earlier_position integer, later_position integer, similarity double precision)
language sql stable
as $$
  with r as (
    select m.position::integer as position, h.embedding
    from unnest(ranked) with ordinality as m(id, position)
    join headlines h on h.id = m.id
  )
  select a.position, b.position, 1 - (a.embedding <=> b.embedding)::double precision
  from r a
  join r b on a.position < b.position
  where 1 - (a.embedding <=> b.embedding)::double precision >= min_similarity
  order by b.position, a.position
$$;
