ALTER TABLE events DROP COLUMN search_text;
ALTER TABLE volunteers DROP COLUMN search_text;
ALTER TABLE branches DROP COLUMN search_text;
