-- pgvector >= 0.8 is checked before migrating (halfvec, iterative index scans).
create extension if not exists vector;
