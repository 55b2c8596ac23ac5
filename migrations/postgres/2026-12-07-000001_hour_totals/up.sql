-- Approved minutes per month, branch, volunteer, category and source: a partial aggregate of
-- hour_entries that the reports read where their filters allow (whole months; no event or
-- plan item), so that a year's totals read a row per volunteer and month instead of every
-- entry and its event. It is kept by the triggers below in the transaction that approves,
-- corrects or withdraws an entry, so it is never behind the entries a report could see.
-- PostgreSQL only: SQLite's reports read the entries as before.
CREATE TABLE hour_totals (
    month        DATE   NOT NULL CHECK (month = CAST(date_trunc('month', month) AS DATE)),
    -- no foreign keys: every row is made from entries, whose own foreign keys hold these
    -- ids; checking them again, a query per row, is where a large change spent its time
    branch_id    BIGINT NOT NULL,
    volunteer_id BIGINT NOT NULL,
    category     TEXT   NOT NULL,
    source       TEXT   NOT NULL,
    -- the approved entries' minutes, corrections included (so it may be negative); a month
    -- of a volunteer's days at the daily cap is 44,640, and INTEGERs are summed natively
    minutes      INTEGER NOT NULL,
    -- the approved entries that are not corrections (a report's entry_count)
    entries      INTEGER NOT NULL,
    -- every approved row, corrections included: a row at 0 is deleted. (No CHECK >= 0 on
    -- the counts: PostgreSQL checks the row an upsert proposes, the negative change itself,
    -- before it finds the row to add it to.)
    row_count    INTEGER NOT NULL,
    -- a year's report reads its months' part of this index alone (an index-only scan)
    PRIMARY KEY (month, branch_id, volunteer_id, category, source) INCLUDE (minutes, entries)
);
-- a volunteer's all-time minutes (the cumulative column), read in volunteer order
CREATE INDEX hour_totals_volunteer_idx ON hour_totals (volunteer_id) INCLUDE (minutes);

-- Follows one statement's change to the approved entries: the rows that came count +1 and
-- the rows that left -1, summed per key and merged in key order, so that two statements lock
-- the rows they share in the same order; keys whose sums are all zero (an approved entry's
-- version bumped, say) are left alone, and a row that falls to no entries is deleted.
-- (Entries are not deleted by the service; the DELETE case keeps the totals true if an
-- operator does.)
CREATE FUNCTION hour_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO hour_totals AS t
        SELECT CAST(date_trunc('month', n.service_date) AS DATE), n.branch_id, n.volunteer_id,
               e.category, n.source, SUM(n.minutes),
               SUM(CASE WHEN n.corrects_id IS NULL THEN 1 ELSE 0 END), COUNT(*)
        FROM new_rows n JOIN events e ON e.id = n.event_id
        WHERE n.status = 'approved'
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, branch_id, volunteer_id, category, source) DO UPDATE
        SET minutes = t.minutes + EXCLUDED.minutes, entries = t.entries + EXCLUDED.entries,
            row_count = t.row_count + EXCLUDED.row_count;
        RETURN NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO hour_totals AS t
        SELECT CAST(date_trunc('month', c.service_date) AS DATE), c.branch_id, c.volunteer_id,
               e.category, c.source, SUM(c.sign * c.minutes),
               SUM(CASE WHEN c.corrects_id IS NULL THEN c.sign ELSE 0 END), SUM(c.sign)
        FROM (SELECT service_date, branch_id, volunteer_id, event_id, source, minutes,
                     corrects_id, 1 AS sign
              FROM new_rows WHERE status = 'approved'
              UNION ALL
              SELECT service_date, branch_id, volunteer_id, event_id, source, minutes,
                     corrects_id, -1
              FROM old_rows WHERE status = 'approved') c
        JOIN events e ON e.id = c.event_id
        GROUP BY 1, 2, 3, 4, 5
        HAVING SUM(c.sign * c.minutes) <> 0 OR SUM(c.sign) <> 0
            OR SUM(CASE WHEN c.corrects_id IS NULL THEN c.sign ELSE 0 END) <> 0
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, branch_id, volunteer_id, category, source) DO UPDATE
        SET minutes = t.minutes + EXCLUDED.minutes, entries = t.entries + EXCLUDED.entries,
            row_count = t.row_count + EXCLUDED.row_count;
    ELSE
        INSERT INTO hour_totals AS t
        SELECT CAST(date_trunc('month', o.service_date) AS DATE), o.branch_id, o.volunteer_id,
               e.category, o.source, -SUM(o.minutes),
               -SUM(CASE WHEN o.corrects_id IS NULL THEN 1 ELSE 0 END), -COUNT(*)
        FROM old_rows o JOIN events e ON e.id = o.event_id
        WHERE o.status = 'approved'
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, branch_id, volunteer_id, category, source) DO UPDATE
        SET minutes = t.minutes + EXCLUDED.minutes, entries = t.entries + EXCLUDED.entries,
            row_count = t.row_count + EXCLUDED.row_count;
    END IF;
    DELETE FROM hour_totals t
    USING old_rows o JOIN events e ON e.id = o.event_id
    WHERE o.status = 'approved' AND t.row_count = 0
      AND t.month = CAST(date_trunc('month', o.service_date) AS DATE)
      AND t.branch_id = o.branch_id AND t.volunteer_id = o.volunteer_id
      AND t.category = e.category AND t.source = o.source;
    RETURN NULL;
END;
$$;

CREATE TRIGGER hour_totals_follow_insert AFTER INSERT ON hour_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hour_totals_follow();
CREATE TRIGGER hour_totals_follow_update AFTER UPDATE ON hour_entries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hour_totals_follow();
CREATE TRIGGER hour_totals_follow_delete AFTER DELETE ON hour_entries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hour_totals_follow();

-- An event's category changes only while none of its entries is approved (the service's
-- rule); should it change later all the same, its approved minutes move with it.
CREATE FUNCTION hour_totals_follow_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hour_totals AS t
    SELECT CAST(date_trunc('month', h.service_date) AS DATE), h.branch_id, h.volunteer_id,
           c.category, h.source, SUM(c.sign * h.minutes),
           SUM(CASE WHEN h.corrects_id IS NULL THEN c.sign ELSE 0 END), SUM(c.sign)
    FROM hour_entries h
    CROSS JOIN (VALUES (NEW.category, 1), (OLD.category, -1)) c (category, sign)
    WHERE h.event_id = NEW.id AND h.status = 'approved'
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (month, branch_id, volunteer_id, category, source) DO UPDATE
    SET minutes = t.minutes + EXCLUDED.minutes, entries = t.entries + EXCLUDED.entries,
        row_count = t.row_count + EXCLUDED.row_count;
    DELETE FROM hour_totals t
    USING hour_entries h
    WHERE h.event_id = NEW.id AND h.status = 'approved' AND t.row_count = 0
      AND t.month = CAST(date_trunc('month', h.service_date) AS DATE)
      AND t.branch_id = h.branch_id AND t.volunteer_id = h.volunteer_id
      AND t.category = OLD.category AND t.source = h.source;
    RETURN NULL;
END;
$$;

CREATE TRIGGER hour_totals_follow_event AFTER UPDATE OF category ON events
    FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION hour_totals_follow_event();

-- Every row recomputed from the entries: what is approved already (below), and the repair
-- after a bulk load that ran with the triggers disabled
-- (`ALTER TABLE hour_entries DISABLE TRIGGER USER`; the benchmarks' generator does so).
CREATE FUNCTION hour_totals_rebuild() RETURNS void LANGUAGE sql AS $$
    DELETE FROM hour_totals;
    INSERT INTO hour_totals
    SELECT CAST(date_trunc('month', h.service_date) AS DATE), h.branch_id, h.volunteer_id,
           e.category, h.source, SUM(h.minutes),
           SUM(CASE WHEN h.corrects_id IS NULL THEN 1 ELSE 0 END), COUNT(*)
    FROM hour_entries h JOIN events e ON e.id = h.event_id
    WHERE h.status = 'approved'
    GROUP BY 1, 2, 3, 4, 5;
$$;
SELECT hour_totals_rebuild();
