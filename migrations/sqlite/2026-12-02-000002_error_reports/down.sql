DROP TABLE error_reports;
ALTER TABLE hour_entries DROP COLUMN source;
