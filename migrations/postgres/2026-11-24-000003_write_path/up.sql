-- The audit log only grows, in time order, and is paged by id: a BRIN index finds time
-- ranges as the B-tree did, at a fraction of the cost of every insert.
DROP INDEX audit_log_occurred_idx;
CREATE INDEX audit_log_occurred_brin ON audit_log USING brin (occurred_at);

-- Stored responses are large JSON documents (a roster's is tens of KiB): lz4 compresses
-- them several times faster than the default pglz, where the server was built with it.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        EXECUTE 'ALTER TABLE idempotency_keys ALTER COLUMN response_body SET COMPRESSION lz4';
    END IF;
END
$$;
