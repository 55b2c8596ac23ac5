CREATE INDEX hour_entries_status_date_idx ON hour_entries (status, service_date);
DROP INDEX hour_entries_status_date_cover_idx;
