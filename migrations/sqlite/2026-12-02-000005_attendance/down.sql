DROP TABLE attendance;
ALTER TABLE hour_entries DROP COLUMN auto_closed;
