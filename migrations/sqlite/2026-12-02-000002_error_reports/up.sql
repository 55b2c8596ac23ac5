-- Where an hour entry came from: entered by an organiser (as before), created by an
-- accepted error report, and, for the work to come, a check-in or an Excel import, so that
-- neither needs this table rebuilt.
ALTER TABLE hour_entries
    ADD COLUMN source TEXT NOT NULL DEFAULT 'entered'
        CHECK (source IN ('entered', 'error_report', 'check_in', 'imported'));

-- A volunteer's report of an error in its record (更正申请, Ministry order 67): a missing
-- entry (the event, the day, the time, what it did) or a wrong one (its entry and the
-- minutes it should be), with an explanation. The organising branch accepts it, which
-- creates the entry or the correction (`created_entry_id`), or declines it with a reason.
CREATE TABLE error_reports (
    id               INTEGER PRIMARY KEY,
    volunteer_id     INTEGER   NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    kind             TEXT      NOT NULL CHECK (kind IN ('missing', 'wrong')),
    -- the event of the missing service, or of the wrong entry (whose organiser decides)
    event_id         INTEGER   NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    hour_entry_id    INTEGER   REFERENCES hour_entries (id) ON DELETE RESTRICT,
    service_date     TEXT,
    -- missing: the minutes served; wrong: the minutes the entry should count
    minutes          INTEGER   NOT NULL,
    started_at       TEXT,
    ended_at         TEXT,
    role             TEXT      CHECK (length(role) BETWEEN 1 AND 50),
    note             TEXT      CHECK (length(note) BETWEEN 1 AND 500),
    explanation      TEXT      NOT NULL CHECK (length(explanation) BETWEEN 1 AND 500),
    status           TEXT      NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    decided_by       INTEGER   REFERENCES users (id) ON DELETE RESTRICT,
    decided_at       TEXT,
    decline_reason   TEXT      CHECK (length(decline_reason) BETWEEN 1 AND 500),
    created_entry_id INTEGER   UNIQUE REFERENCES hour_entries (id) ON DELETE RESTRICT,
    created_by       INTEGER   REFERENCES users (id) ON DELETE RESTRICT,
    version          INTEGER   NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK ((kind = 'missing' AND hour_entry_id IS NULL AND service_date IS NOT NULL
            AND minutes BETWEEN 1 AND 1440)
        OR (kind = 'wrong' AND hour_entry_id IS NOT NULL AND service_date IS NULL
            AND started_at IS NULL AND role IS NULL AND note IS NULL
            AND minutes BETWEEN 0 AND 1440)),
    CHECK ((started_at IS NULL) = (ended_at IS NULL)),
    CHECK (ended_at IS NULL OR ended_at > started_at),
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((status = 'open') = (decided_by IS NULL)),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL)),
    CHECK ((status = 'accepted') = (created_entry_id IS NOT NULL))
) STRICT;
CREATE INDEX error_reports_volunteer_idx ON error_reports (volunteer_id, id);
CREATE INDEX error_reports_event_idx ON error_reports (event_id);
CREATE INDEX error_reports_status_idx ON error_reports (status, id);
-- one open report per wrong entry, and per missing day of a volunteer at an event
CREATE UNIQUE INDEX error_reports_open_wrong_idx ON error_reports (hour_entry_id)
    WHERE status = 'open' AND kind = 'wrong';
CREATE UNIQUE INDEX error_reports_open_missing_idx ON error_reports (volunteer_id, event_id, service_date)
    WHERE status = 'open' AND kind = 'missing';
