create table headlines (
  id bigint generated always as identity primary key,
  published_on date not null,
  -- Normalised text (see src/embedding normalisation); dedup is on (date, this text).
  text text not null,
  -- A hash keeps the uniqueness key small and within B-tree limits for long texts.
  text_hash bytea generated always as (decode(md5(text), 'hex')) stored,
  -- Full Universal Sentence Encoder embedding: the exact re-rank and the similarity users see.
  embedding halfvec(512) not null,
  -- Projected embedding for the ANN index. Unconstrained dimension: the projection's
  -- dimension lives in the projection table and the HNSW index casts to it.
  embedding_reduced halfvec not null,
  created_at timestamptz not null default now(),
  constraint headlines_published_on_text_key unique (published_on, text_hash)
);

create index headlines_published_on_idx on headlines (published_on);
