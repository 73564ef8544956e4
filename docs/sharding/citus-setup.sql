-- headline-search on Citus: turning a migrated, empty database into a distributed one.
-- DESIGNED, NOT RUN HERE (Citus is not in Debian's archive). See docs/sharding.md.
--
-- Before: every node runs PostgreSQL 15+ with shared_preload_libraries = 'citus' and the
-- same pgvector (>= 0.8) installed; database `headlines` exists on every node. Then, on the
-- coordinator, in this order:
--   1. this file's section 1;
--   2. `headlines migrate` (migrations 0001-0006; CREATE EXTENSION vector is propagated);
--   3. docs/sharding/distributed-search.sql;
--   4. this file's sections 2 to 5;
--   5. ingest (`headlines ingest FILE --shard i/n --no-index` on n machines), then
--      `headlines reindex` once, which builds one HNSW index per shard.

-- 1. The cluster -------------------------------------------------------------------------
create extension if not exists citus;
select citus_set_coordinator_host('coordinator.internal', 5432);
select citus_add_node('worker-1.internal', 5432);
select citus_add_node('worker-2.internal', 5432);
-- ... one citus_add_node per worker.

-- 2. Reference tables: a full copy on every node, kept identical by Citus ------------------
-- The projection (PCA mean and basis) turns a query into its reduced vector. It is read once
-- per search, on the coordinator, and the reduced vector goes to the shards as a parameter;
-- being a reference table, any node can also project locally (ingest on a worker, an
-- analyst's session there) and read the same rows.
select create_reference_table('projection');
select create_reference_table('projection_basis');
select create_reference_table('headline_day_counts');

-- 3. headlines: hash-distributed by published_on -----------------------------------------
-- Citus requires every primary key and unique constraint to contain the distribution
-- column. The dedup key (published_on, text_hash) already does, so duplicates are still
-- refused by the database, each shard checking its own days. The primary key grows to
-- (published_on, id); id stays unique through its sequence. Identity columns have
-- restrictions on distributed tables; a plain bigint sequence has none (Citus gives every
-- node its own range of it).
alter table headlines drop constraint headlines_pkey;
alter table headlines add constraint headlines_pkey primary key (published_on, id);
alter table headlines alter column id drop identity;
create sequence headlines_id_seq as bigint owned by headlines.id;
alter table headlines alter column id set default nextval('headlines_id_seq');
-- Enough shards to spread over future workers (shards move, their count does not change
-- without a rewrite): 4-8 per worker core of the largest cluster planned.
select create_distributed_table('headlines', 'published_on', shard_count => 64);
-- search_queries (the analysts' queue, small, with its LISTEN trigger) stays a table on the
-- coordinator, known to Citus so that it can be queried together with the others.
select citus_add_local_table_to_metadata('search_queries');

-- 4. Settings per database, on every node ---------------------------------------------------
-- semantic_search (distributed-search.sql) scans each shard's HNSW index in a session that
-- Citus opens on the worker: neither SET nor set_config() in the coordinator's session
-- reaches it. What migration 0004 set per query is set per database instead. With
-- iterative scans on, a pool larger than ef_search (headline_search.candidates > 200)
-- still gets its rows: the scan goes on until the LIMIT is met or max_scan_tuples is read.
alter database headlines set hnsw.ef_search = 200;
alter database headlines set hnsw.iterative_scan = 'relaxed_order';
alter database headlines set hnsw.max_scan_tuples = 200000;
select run_command_on_workers($$alter database headlines set hnsw.ef_search = 200$$);
select run_command_on_workers($$alter database headlines set hnsw.iterative_scan = 'relaxed_order'$$);
select run_command_on_workers($$alter database headlines set hnsw.max_scan_tuples = 200000$$);
-- headline_search.candidates and headline_search.exact_scan_rows are read by
-- semantic_search on the coordinator: session settings keep working for them.

-- 5. One HNSW index per shard (what `headlines reindex` runs) --------------------------------
-- CREATE INDEX on a distributed table creates it on every shard; the workers build their
-- shards' indexes in parallel. 64 is the projection's dimension (projection.dimensions).
create index headlines_embedding_reduced_hnsw on headlines
  using hnsw ((embedding_reduced::halfvec(64)) halfvec_cosine_ops) with (m = 16, ef_construction = 64);
