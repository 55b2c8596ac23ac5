-- An entry made from attendance whose check-out was forgotten: closed by the organiser (or
-- by completing the event) at the event's scheduled end, so the reviewer can tell.
ALTER TABLE hour_entries
    ADD COLUMN auto_closed BOOLEAN NOT NULL DEFAULT FALSE;

-- A volunteer's presence at an event: one check-in and, later, its check-out. The times
-- that count (`checked_in_at`, `checked_out_at`) are the server's receive time, or the time
-- an organiser's phone that was offline says (kept apart in `*_client_at`), beside the
-- time the server received each (`*_received_at`). A check-out makes the hour entry
-- (`hour_entry_id`); when a rule of recording hours refuses it, the attendance stays
-- closed and carries the reason (`flag`, `flag_detail`) for the organiser to resolve.
CREATE TABLE attendance (
    id                      BIGSERIAL PRIMARY KEY,
    event_id                BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    volunteer_id            BIGINT NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    checked_in_at           TIMESTAMP    NOT NULL,
    checked_in_client_at    TIMESTAMP,
    checked_in_received_at  TIMESTAMP    NOT NULL,
    check_in_method         TEXT    NOT NULL CHECK (check_in_method IN ('code', 'pass', 'organiser')),
    checked_in_by           BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    checked_out_at          TIMESTAMP,
    checked_out_client_at   TIMESTAMP,
    checked_out_received_at TIMESTAMP,
    check_out_method        TEXT    CHECK (check_out_method IN ('code', 'pass', 'organiser', 'auto')),
    checked_out_by          BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    auto_closed             BOOLEAN NOT NULL DEFAULT FALSE,
    hour_entry_id           BIGINT UNIQUE REFERENCES hour_entries (id) ON DELETE RESTRICT,
    flag                    TEXT    CHECK (flag IN ('too_short', 'duplicate', 'overlap', 'daily_cap', 'refused')),
    flag_detail             TEXT    CHECK (length(flag_detail) BETWEEN 1 AND 1000),
    version                 BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at              TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at              TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    -- a check-out's fields come together
    CHECK ((checked_out_at IS NULL) = (checked_out_received_at IS NULL)),
    CHECK ((checked_out_at IS NULL) = (check_out_method IS NULL)),
    CHECK (checked_out_at IS NULL OR checked_out_at >= checked_in_at),
    CHECK (checked_out_client_at IS NULL OR checked_out_at IS NOT NULL),
    CHECK (NOT auto_closed OR check_out_method = 'auto'),
    -- an open attendance has neither entry nor flag; a closed one has one or the other
    CHECK (checked_out_at IS NOT NULL OR (hour_entry_id IS NULL AND flag IS NULL)),
    CHECK (checked_out_at IS NULL OR ((hour_entry_id IS NULL) <> (flag IS NULL))),
    CHECK ((flag IS NULL) = (flag_detail IS NULL))
);
-- one open attendance per volunteer and event
CREATE UNIQUE INDEX attendance_open_idx ON attendance (event_id, volunteer_id)
    WHERE checked_out_at IS NULL;
CREATE INDEX attendance_event_idx ON attendance (event_id, id);
CREATE INDEX attendance_volunteer_idx ON attendance (volunteer_id, id);
