-- The embedding model and projection in use. One row: every stored reduced vector was
-- made by it, and queries must be projected by exactly the same parameters.
create table projection (
  id smallint primary key default 1 check (id = 1),
  model_id text not null,
  kind text not null check (kind in ('pca', 'gaussian', 'none')),
  input_dimensions integer not null check (input_dimensions > 0),
  dimensions integer not null check (dimensions > 0 and dimensions <= input_dimensions),
  -- Kind-specific parameters (seed, sample size, explained variance, ...).
  params jsonb not null default '{}'::jsonb,
  -- Subtracted before projecting (pca); null means no centring.
  mean vector(512),
  -- Bumped when the way parameters are computed or applied changes.
  version integer not null,
  created_at timestamptz not null default now()
);

-- One row per output dimension: reduced[c] = (x - mean) . direction[c]. Stored as rows of
-- vector(512) so SQL can project with pgvector's own inner-product operator.
create table projection_basis (
  component smallint primary key check (component >= 0),
  direction vector(512) not null
);
