-- PostgreSQL version of migration 140 (see ../140_issued_numbers.sql), kept so that both
-- dialects share one schema. Here ids come from identity sequences, which never hand out
-- a number twice; only pg_restore puts them back, and docs/operations.md says how to move
-- them past the replaced database's. The store does not number rows above this table on
-- PostgreSQL: replicas insert side by side, and a highest-plus-one of their own would
-- collide where the sequence does not.
CREATE TABLE IF NOT EXISTS issued_numbers (
    table_name  TEXT PRIMARY KEY,
    highest     BIGINT NOT NULL
);
