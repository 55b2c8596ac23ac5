ALTER TABLE idempotency_keys ALTER COLUMN response_body SET COMPRESSION default;
DROP INDEX audit_log_occurred_brin;
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);
