-- Sign-up for events: none (hours entered by the organiser, as before), open (first come
-- first admitted up to capacity, then a waiting list) or approval (the organiser admits);
-- a window (closes at the start when not set); who may sign up (the organiser's branch
-- and those below it, or all); and the tags a volunteer needs (e.g. `trained`).
ALTER TABLE events ADD COLUMN signup_mode TEXT NOT NULL DEFAULT 'none'
    CHECK (signup_mode IN ('none', 'open', 'approval'));
ALTER TABLE events ADD COLUMN signup_opens_at TEXT;
ALTER TABLE events ADD COLUMN signup_closes_at TEXT
    CHECK (signup_closes_at IS NULL OR signup_opens_at IS NULL OR signup_opens_at < signup_closes_at);
ALTER TABLE events ADD COLUMN signup_scope TEXT NOT NULL DEFAULT 'subtree'
    CHECK (signup_scope IN ('subtree', 'all'));

CREATE TABLE event_required_tags (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tag      TEXT    NOT NULL CHECK (length(tag) BETWEEN 1 AND 40),
    PRIMARY KEY (event_id, tag)
) STRICT;

-- A volunteer's sign-up for an event. Live while applied, admitted or waitlisted (one live
-- sign-up per volunteer and event); declined and cancelled ones stay, with the reason.
-- Arrival order is id order: the waiting list is the waitlisted sign-ups by id.
CREATE TABLE signups (
    id           INTEGER PRIMARY KEY,
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    status       TEXT    NOT NULL CHECK (status IN ('applied', 'admitted', 'waitlisted', 'declined', 'cancelled')),
    reason       TEXT    CHECK (length(reason) BETWEEN 1 AND 500),
    created_by   INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    decided_by   INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    decided_at   TEXT,
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK (status <> 'declined' OR reason IS NOT NULL),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX signups_live_idx ON signups (event_id, volunteer_id)
    WHERE status IN ('applied', 'admitted', 'waitlisted');
CREATE INDEX signups_event_idx ON signups (event_id, status, id);
CREATE INDEX signups_volunteer_idx ON signups (volunteer_id, id);
