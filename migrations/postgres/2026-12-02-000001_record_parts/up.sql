-- Two more parts of a volunteer's record (State Council regulation, art. 19): commendations
-- and awards (表彰奖励), and the organiser's evaluation of a volunteer's service at an event
-- (评价). Training stays what it was: events of category `training`.

CREATE TABLE commendations (
    id           BIGSERIAL PRIMARY KEY,
    volunteer_id BIGINT    NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    title        TEXT      NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    awarded_by   TEXT      NOT NULL CHECK (char_length(awarded_by) BETWEEN 1 AND 200),
    awarded_on   DATE      NOT NULL,
    level        TEXT      NOT NULL CHECK (level IN ('national', 'provincial', 'city', 'district', 'unit')),
    note         TEXT      CHECK (char_length(note) BETWEEN 1 AND 500),
    created_by   BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    version      BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX commendations_volunteer_idx ON commendations (volunteer_id, awarded_on);

-- One evaluation per volunteer and event, replaced (not duplicated) when the organiser
-- rates again.
CREATE TABLE evaluations (
    id           BIGSERIAL PRIMARY KEY,
    event_id     BIGINT    NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    volunteer_id BIGINT    NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    rating       TEXT      NOT NULL CHECK (rating IN ('excellent', 'good', 'satisfactory', 'unsatisfactory')),
    comment      TEXT      CHECK (char_length(comment) BETWEEN 1 AND 500),
    created_by   BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    updated_by   BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    version      BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (event_id, volunteer_id)
);
CREATE INDEX evaluations_volunteer_idx ON evaluations (volunteer_id);
