-- Case-insensitive search that behaves the same on both backends: the service writes a
-- Unicode-lowercased copy of the searchable text (Chinese has no case and is kept as is),
-- and searches it with LIKE. The backfill below lowercases with the database's lower().
ALTER TABLE branches ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE volunteers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE branches SET search_text = lower(code || ' ' || name);
UPDATE volunteers SET search_text = lower(name);
UPDATE events SET search_text = lower(title || ' ' || coalesce(place, ''));
