DROP TABLE signups;
DROP TABLE event_required_tags;
ALTER TABLE events DROP COLUMN signup_scope;
ALTER TABLE events DROP COLUMN signup_closes_at;
ALTER TABLE events DROP COLUMN signup_opens_at;
ALTER TABLE events DROP COLUMN signup_mode;
