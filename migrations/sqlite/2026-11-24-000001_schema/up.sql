-- The whole domain schema; mirrors migrations/postgres. Tables are STRICT. Conventions:
--   ids are INTEGER; durations are integer minutes; timestamps are TEXT      holding UTC;
--   enums are TEXT with CHECK constraints; JSON documents are TEXT.
--   `version` is bumped on every update and backs the HTTP ETag.

CREATE TABLE plans (
    id           INTEGER PRIMARY KEY,
    year         INTEGER   NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
    title        TEXT      NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    title_en     TEXT      CHECK (length(title_en) BETWEEN 1 AND 200),
    issuer       TEXT      NOT NULL CHECK (length(issuer) BETWEEN 1 AND 200),
    published_on TEXT,
    preamble     TEXT      CHECK (length(preamble) <= 20000),
    version      INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
) STRICT;

CREATE TABLE plan_sections (
    id       INTEGER PRIMARY KEY,
    plan_id  INTEGER  NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number   INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
    title    TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    title_en TEXT    CHECK (length(title_en) BETWEEN 1 AND 200),
    UNIQUE (plan_id, number),
    UNIQUE (id, plan_id)
) STRICT;

CREATE TABLE plan_items (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER  NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    section_id INTEGER  NOT NULL,
    number     INTEGER NOT NULL CHECK (number BETWEEN 1 AND 999),
    title      TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    title_en   TEXT    CHECK (length(title_en) BETWEEN 1 AND 200),
    body       TEXT    NOT NULL DEFAULT '' CHECK (length(body) <= 20000),
    UNIQUE (plan_id, number),
    -- an item's section belongs to the item's plan
    FOREIGN KEY (section_id, plan_id) REFERENCES plan_sections (id, plan_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX plan_items_section_idx ON plan_items (section_id);

CREATE TABLE branches (
    id         INTEGER PRIMARY KEY,
    code       TEXT      NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 32 AND code NOT GLOB '*[^A-Z0-9_-]*'),
    name       TEXT      NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent_id  INTEGER    REFERENCES branches (id) ON DELETE RESTRICT,
    archived   INTEGER   NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    version    INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK (parent_id IS NULL OR parent_id <> id)
) STRICT;
CREATE INDEX branches_parent_idx ON branches (parent_id);

CREATE TABLE volunteers (
    id               INTEGER PRIMARY KEY,
    name             TEXT      NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    gender           TEXT      CHECK (gender IN ('male', 'female')),
    phone            TEXT      CHECK (length(phone) BETWEEN 5 AND 20 AND (phone NOT GLOB '*[^0-9]*' OR (substr(phone, 1, 1) = '+' AND substr(phone, 2) NOT GLOB '*[^0-9]*' AND length(phone) > 1))),
    volunteer_number TEXT      UNIQUE CHECK (length(volunteer_number) BETWEEN 1 AND 40),
    branch_id        INTEGER    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    status           TEXT      NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived')),
    joined_on        TEXT,
    version          INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at       TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
) STRICT;
CREATE INDEX volunteers_branch_idx ON volunteers (branch_id);

-- Skills and markers such as `trained` or `emergency_team`.
CREATE TABLE volunteer_tags (
    volunteer_id INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    tag          TEXT   NOT NULL CHECK (length(tag) BETWEEN 1 AND 40 AND tag NOT GLOB '*[^a-z0-9_]*'),
    PRIMARY KEY (volunteer_id, tag)
) STRICT;
CREATE INDEX volunteer_tags_tag_idx ON volunteer_tags (tag);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT      NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64 AND username NOT GLOB '*[^a-z0-9._-]*'),
    password_hash         TEXT      NOT NULL CHECK (password_hash LIKE '$argon2%'),
    role                  TEXT      NOT NULL CHECK (role IN ('admin', 'secretary', 'hr', 'volunteer')),
    branch_id             INTEGER    REFERENCES branches (id) ON DELETE RESTRICT,
    volunteer_id          INTEGER    UNIQUE REFERENCES volunteers (id) ON DELETE RESTRICT,
    disabled              INTEGER   NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins         INTEGER   NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    first_failed_login_at TEXT     ,
    locked_until          TEXT     ,
    last_login_at         TEXT     ,
    token_version         INTEGER    NOT NULL DEFAULT 1 CHECK (token_version >= 1),
    version               INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at            TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at            TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK (role <> 'secretary' OR branch_id IS NOT NULL),
    CHECK (role <> 'volunteer' OR volunteer_id IS NOT NULL)
) STRICT;
CREATE INDEX users_branch_idx ON users (branch_id);

CREATE TABLE events (
    id                  INTEGER PRIMARY KEY,
    title               TEXT      NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description         TEXT      CHECK (length(description) <= 5000),
    category            TEXT      NOT NULL CHECK (category IN (
                            'lei_feng_day', 'international_volunteer_day', 'large_event',
                            'civilised_traffic', 'metro_guidance', 'tree_planting', 'blood_donation',
                            'autumn_student_aid', 'new_year_visits', 'garbage_sorting',
                            'energy_saving', 'integrity', 'festival', 'reading', 'training',
                            'emergency', 'community_pairing', 'other')),
    organiser_branch_id INTEGER    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    place               TEXT      CHECK (length(place) <= 200),
    starts_at           TEXT      NOT NULL,
    ends_at             TEXT      NOT NULL,
    status              TEXT      NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'open', 'completed', 'cancelled')),
    capacity            INTEGER   CHECK (capacity BETWEEN 1 AND 100000),
    created_by          INTEGER    REFERENCES users (id) ON DELETE RESTRICT,
    version             INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at          TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX events_organiser_idx ON events (organiser_branch_id);
CREATE INDEX events_starts_at_idx ON events (starts_at);

CREATE TABLE event_plan_items (
    event_id     INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    plan_item_id INTEGER NOT NULL REFERENCES plan_items (id) ON DELETE RESTRICT,
    PRIMARY KEY (event_id, plan_item_id)
) STRICT;
CREATE INDEX event_plan_items_item_idx ON event_plan_items (plan_item_id);

-- Hours served. Rows are never deleted: a withdrawn entry keeps its row with status
-- 'withdrawn', and a change to an approved entry is a new row whose `corrects_id` points at
-- the entry it corrects, with signed minutes.
CREATE TABLE hour_entries (
    id           INTEGER PRIMARY KEY,
    volunteer_id INTEGER    NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    event_id     INTEGER    NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    -- the volunteer's branch when the service was done; a later move does not carry it along
    branch_id    INTEGER    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    minutes      INTEGER   NOT NULL,
    service_date TEXT      NOT NULL,
    started_at   TEXT     ,
    ended_at     TEXT     ,
    role         TEXT      CHECK (length(role) BETWEEN 1 AND 50),
    note         TEXT      CHECK (length(note) <= 500),
    status       TEXT      NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    corrects_id  INTEGER    REFERENCES hour_entries (id) ON DELETE RESTRICT,
    submitted_by INTEGER    REFERENCES users (id) ON DELETE RESTRICT,
    reviewed_by  INTEGER    REFERENCES users (id) ON DELETE RESTRICT,
    reviewed_at  TEXT     ,
    reason       TEXT      CHECK (length(reason) BETWEEN 1 AND 500),
    version      INTEGER    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    updated_at   TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    CHECK ((corrects_id IS NULL AND minutes BETWEEN 1 AND 1440)
        OR (corrects_id IS NOT NULL AND minutes BETWEEN -1440 AND 1440 AND minutes <> 0)),
    CHECK ((started_at IS NULL) = (ended_at IS NULL)),
    CHECK (ended_at IS NULL OR ended_at > started_at),
    CHECK (corrects_id IS NULL OR corrects_id <> id),
    CHECK (status <> 'rejected' OR reason IS NOT NULL),
    CHECK (status NOT IN ('approved', 'rejected') OR reviewed_at IS NOT NULL)
) STRICT;
-- one live entry per volunteer, event and day; corrections are separate rows
CREATE UNIQUE INDEX hour_entries_one_per_day_idx ON hour_entries (volunteer_id, event_id, service_date)
    WHERE corrects_id IS NULL AND status IN ('submitted', 'approved');
CREATE INDEX hour_entries_event_idx ON hour_entries (event_id);
CREATE INDEX hour_entries_volunteer_date_idx ON hour_entries (volunteer_id, service_date);
CREATE INDEX hour_entries_branch_date_idx ON hour_entries (branch_id, service_date);
CREATE INDEX hour_entries_corrects_idx ON hour_entries (corrects_id);
CREATE INDEX hour_entries_status_date_idx ON hour_entries (status, service_date);

-- Append-only: see the triggers below. actor_id NULL means the system (seed, CLI).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    occurred_at TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    actor_id    INTEGER    REFERENCES users (id) ON DELETE RESTRICT,
    action      TEXT      NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    entity      TEXT      NOT NULL CHECK (length(entity) BETWEEN 1 AND 64),
    entity_id   INTEGER,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT      CHECK (length(reason) <= 1000),
    request_id  TEXT      CHECK (length(request_id) <= 100)
) STRICT;
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Responses to requests that carried an Idempotency-Key, replayed on a retry.
CREATE TABLE idempotency_keys (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key              TEXT      NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method           TEXT      NOT NULL CHECK (length(method) BETWEEN 1 AND 10),
    path             TEXT      NOT NULL CHECK (length(path) BETWEEN 1 AND 2000),
    request_hash     TEXT      NOT NULL CHECK (length(request_hash) = 64),
    state            TEXT      NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'completed')),
    response_status  INTEGER   CHECK (response_status BETWEEN 100 AND 599),
    response_headers TEXT,
    response_body    TEXT,
    created_at       TEXT      NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
    completed_at     TEXT     ,
    expires_at       TEXT      NOT NULL,
    UNIQUE (user_id, key),
    CHECK (state <> 'completed' OR (response_status IS NOT NULL AND completed_at IS NOT NULL))
) STRICT;
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Only a hash of each refresh token is kept. Tokens of one login form a family; a reused
-- token revokes its family.
CREATE TABLE refresh_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   TEXT      NOT NULL CHECK (length(family_id) BETWEEN 16 AND 64),
    token_hash  TEXT      NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    issued_at   TEXT      NOT NULL,
    expires_at  TEXT      NOT NULL,
    used_at     TEXT     ,
    revoked_at  TEXT     ,
    CHECK (expires_at > issued_at)
) STRICT;
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
