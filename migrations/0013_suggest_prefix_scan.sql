-- suggest() first reads the typed prefix's range of the word list, capped, to learn whether
-- it is small enough to sort (it then takes the most frequent of the range) or large (then
-- it walks the frequency index until enough terms match). Without an ORDER BY the capped
-- read was free to be a bitmap scan of the whole range or a sequential scan, which read
-- tens of thousands of terms for a one-letter prefix. Ordered by the index's own order and
-- covered by it, the read is an index-only scan that stops at the cap.

-- Each DDL statement through EXECUTE: on a Citus coordinator, where headline_terms is a
-- reference table, Citus forwards an index statement to the workers as the text it came in,
-- and this file arrives as one multi-statement query that the workers refuse.
do $$
begin
  execute 'create index headline_terms_prefix_covering_idx on headline_terms (term collate "C") include (headlines)';
  execute 'drop index headline_terms_prefix_idx';
end
$$;

create or replace function suggest(prefix text, first integer default 8)
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
  select array_agg(t.term), array_agg(t.headlines) into range_terms, range_headlines
  from (select t.term, t.headlines from headline_terms t
        where t.term collate "C" >= tail and t.term collate "C" < upper_bound collate "C"
        order by t.term collate "C"
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
