-- An entry made from attendance whose check-out was forgotten: closed by the organiser (or
-- by completing the event) at the event's scheduled end, so the reviewer can tell.
ALTER TABLE hour_entries
    ADD COLUMN auto_closed INTEGER NOT NULL DEFAULT 0 CHECK (auto_closed IN (0, 1));

-- A volunteer's presence at an event: one check-in and, later, its check-out. The times
-- that count (`checked_in_at`, `checked_out_at`) are the server's receive time, or the time
-- an organiser's phone that was offline says (kept apart in `*_client_at`), beside the
-- time the server received each (`*_received_at`). A check-out makes the hour entry
-- (`hour_entry_id`); when a rule of recording hours refuses it, the attendance stays
-- closed and carries the reason (`flag`, `flag_detail`) for the organiser to resolve.
CREATE TABLE attendance (
    id                      INTEGER PRIMARY KEY,
    event_id                INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    volunteer_id            INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    checked_in_at           TEXT    NOT NULL,
    checked_in_client_at    TEXT,
    checked_in_received_at  TEXT    NOT NULL,
    check_in_method         TEXT    NOT NULL CHECK (check_in_method IN ('code', 'pass', 'organiser')),
    checked_in_by           INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    checked_out_at          TEXT,
    checked_out_client_at   TEXT,
    checked_out_received_at TEXT,
    check_out_method        TEXT    CHECK (check_out_method IN ('code', 'pass', 'organiser', 'auto')),
    checked_out_by          INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    auto_closed             INTEGER NOT NULL DEFAULT 0 CHECK (auto_closed IN (0, 1)),
    hour_entry_id           INTEGER UNIQUE REFERENCES hour_entries (id) ON DELETE RESTRICT,
    flag                    TEXT    CHECK (flag IN ('too_short', 'duplicate', 'overlap', 'daily_cap', 'refused')),
    flag_detail             TEXT    CHECK (length(flag_detail) BETWEEN 1 AND 1000),
    version                 INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at              TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    -- a check-out's fields come together
    CHECK ((checked_out_at IS NULL) = (checked_out_received_at IS NULL)),
    CHECK ((checked_out_at IS NULL) = (check_out_method IS NULL)),
    CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at),
    CHECK (checked_out_client_at IS NULL OR checked_out_at IS NOT NULL),
    CHECK (auto_closed = 0 OR check_out_method = 'auto'),
    -- an open attendance has neither entry nor flag; a closed one has one or the other
    CHECK (checked_out_at IS NOT NULL OR (hour_entry_id IS NULL AND flag IS NULL)),
    CHECK (checked_out_at IS NULL OR ((hour_entry_id IS NULL) <> (flag IS NULL))),
    CHECK ((flag IS NULL) = (flag_detail IS NULL))
) STRICT;
-- one open attendance per volunteer and event
CREATE UNIQUE INDEX attendance_open_idx ON attendance (event_id, volunteer_id)
    WHERE checked_out_at IS NULL;
CREATE INDEX attendance_event_idx ON attendance (event_id, id);
CREATE INDEX attendance_volunteer_idx ON attendance (volunteer_id, id);
