-- Two more parts of a volunteer's record (State Council regulation, art. 19): commendations
-- and awards (表彰奖励), and the organiser's evaluation of a volunteer's service at an event
-- (评价). Training stays what it was: events of category `training`.

CREATE TABLE commendations (
    id           INTEGER PRIMARY KEY,
    volunteer_id INTEGER   NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    title        TEXT      NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    awarded_by   TEXT      NOT NULL CHECK (length(awarded_by) BETWEEN 1 AND 200),
    awarded_on   TEXT      NOT NULL,
    level        TEXT      NOT NULL CHECK (level IN ('national', 'provincial', 'city', 'district', 'unit')),
    note         TEXT      CHECK (length(note) BETWEEN 1 AND 500),
    created_by   INTEGER   REFERENCES users (id) ON DELETE RESTRICT,
    version      INTEGER   NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
) STRICT;
CREATE INDEX commendations_volunteer_idx ON commendations (volunteer_id, awarded_on);

-- One evaluation per volunteer and event, replaced (not duplicated) when the organiser
-- rates again.
CREATE TABLE evaluations (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER   NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    volunteer_id INTEGER   NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    rating       TEXT      NOT NULL CHECK (rating IN ('excellent', 'good', 'satisfactory', 'unsatisfactory')),
    comment      TEXT      CHECK (length(comment) BETWEEN 1 AND 500),
    created_by   INTEGER   REFERENCES users (id) ON DELETE RESTRICT,
    updated_by   INTEGER   REFERENCES users (id) ON DELETE RESTRICT,
    version      INTEGER   NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    UNIQUE (event_id, volunteer_id)
) STRICT;
CREATE INDEX evaluations_volunteer_idx ON evaluations (volunteer_id);
