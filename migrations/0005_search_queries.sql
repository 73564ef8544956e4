-- Text in SQL: insert a query's text; the running server (or `headlines embed-queries
-- --watch`) fills in its embedding within a second; then search_by_query() searches by it.
create table search_queries (
  id bigint generated always as identity primary key,
  text text not null,
  embedding halfvec(512),
  created_at timestamptz not null default now(),
  embedded_at timestamptz,
  -- Why the text could not be embedded (e.g. empty); such rows are not retried.
  error text
);

-- The embedder's work queue: rows neither embedded nor failed.
create index search_queries_pending_idx on search_queries (id) where embedded_at is null;

create function notify_search_queries() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('search_queries', '');
  return null;
end
$$;

create trigger search_queries_notify
after insert on search_queries
for each statement execute function notify_search_queries();

-- semantic_search() by a stored query. An unknown or not yet embedded query is an error,
-- not an empty result, so a premature call is not mistaken for "no matches".
create function search_by_query(
  query_id bigint,
  k integer default 10,
  date_from date default null,
  date_to date default null
)
returns table (id bigint, published_on date, text text, similarity double precision, rank integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
  q search_queries%rowtype;
begin
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
  return query select * from semantic_search(q.embedding, k, date_from, date_to);
end
$$;
