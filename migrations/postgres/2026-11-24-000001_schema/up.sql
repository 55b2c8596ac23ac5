-- The whole domain schema. Conventions, identical on SQLite:
--   ids are BIGINT; durations are integer minutes; timestamps are TIMESTAMP holding UTC;
--   enums are TEXT with CHECK constraints; JSON documents are TEXT.
--   `version` is bumped on every update and backs the HTTP ETag.

CREATE TABLE plans (
    id           BIGSERIAL PRIMARY KEY,
    year         INTEGER   NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
    title        TEXT      NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    title_en     TEXT      CHECK (char_length(title_en) BETWEEN 1 AND 200),
    issuer       TEXT      NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 200),
    published_on DATE,
    preamble     TEXT      CHECK (char_length(preamble) <= 20000),
    version      BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE plan_sections (
    id       BIGSERIAL PRIMARY KEY,
    plan_id  BIGINT  NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    number   INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
    title    TEXT    NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    title_en TEXT    CHECK (char_length(title_en) BETWEEN 1 AND 200),
    UNIQUE (plan_id, number),
    UNIQUE (id, plan_id)
);

CREATE TABLE plan_items (
    id         BIGSERIAL PRIMARY KEY,
    plan_id    BIGINT  NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    section_id BIGINT  NOT NULL,
    number     INTEGER NOT NULL CHECK (number BETWEEN 1 AND 999),
    title      TEXT    NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    title_en   TEXT    CHECK (char_length(title_en) BETWEEN 1 AND 200),
    body       TEXT    NOT NULL DEFAULT '' CHECK (char_length(body) <= 20000),
    UNIQUE (plan_id, number),
    -- an item's section belongs to the item's plan
    FOREIGN KEY (section_id, plan_id) REFERENCES plan_sections (id, plan_id) ON DELETE CASCADE
);
CREATE INDEX plan_items_section_idx ON plan_items (section_id);

CREATE TABLE branches (
    id         BIGSERIAL PRIMARY KEY,
    code       TEXT      NOT NULL UNIQUE CHECK (char_length(code) BETWEEN 1 AND 32 AND code ~ '^[A-Z0-9_-]+$'),
    name       TEXT      NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    parent_id  BIGINT    REFERENCES branches (id) ON DELETE RESTRICT,
    archived   BOOLEAN   NOT NULL DEFAULT FALSE,
    version    BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX branches_parent_idx ON branches (parent_id);

CREATE TABLE volunteers (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT      NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    gender           TEXT      CHECK (gender IN ('male', 'female')),
    phone            TEXT      CHECK (char_length(phone) BETWEEN 5 AND 20 AND phone ~ '^\+?[0-9]+$'),
    volunteer_number TEXT      UNIQUE CHECK (char_length(volunteer_number) BETWEEN 1 AND 40),
    branch_id        BIGINT    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    status           TEXT      NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'archived')),
    joined_on        DATE,
    version          BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX volunteers_branch_idx ON volunteers (branch_id);

-- Skills and markers such as `trained` or `emergency_team`.
CREATE TABLE volunteer_tags (
    volunteer_id BIGINT NOT NULL REFERENCES volunteers (id) ON DELETE CASCADE,
    tag          TEXT   NOT NULL CHECK (char_length(tag) BETWEEN 1 AND 40 AND tag ~ '^[a-z0-9_]+$'),
    PRIMARY KEY (volunteer_id, tag)
);
CREATE INDEX volunteer_tags_tag_idx ON volunteer_tags (tag);

CREATE TABLE users (
    id                    BIGSERIAL PRIMARY KEY,
    username              TEXT      NOT NULL UNIQUE CHECK (char_length(username) BETWEEN 3 AND 64 AND username ~ '^[a-z0-9._-]+$'),
    password_hash         TEXT      NOT NULL CHECK (password_hash LIKE '$argon2%'),
    role                  TEXT      NOT NULL CHECK (role IN ('admin', 'secretary', 'hr', 'volunteer')),
    branch_id             BIGINT    REFERENCES branches (id) ON DELETE RESTRICT,
    volunteer_id          BIGINT    UNIQUE REFERENCES volunteers (id) ON DELETE RESTRICT,
    disabled              BOOLEAN   NOT NULL DEFAULT FALSE,
    failed_logins         INTEGER   NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    first_failed_login_at TIMESTAMP,
    locked_until          TIMESTAMP,
    last_login_at         TIMESTAMP,
    token_version         BIGINT    NOT NULL DEFAULT 1 CHECK (token_version >= 1),
    version               BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at            TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at            TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK (role <> 'secretary' OR branch_id IS NOT NULL),
    CHECK (role <> 'volunteer' OR volunteer_id IS NOT NULL)
);
CREATE INDEX users_branch_idx ON users (branch_id);

CREATE TABLE events (
    id                  BIGSERIAL PRIMARY KEY,
    title               TEXT      NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description         TEXT      CHECK (char_length(description) <= 5000),
    category            TEXT      NOT NULL CHECK (category IN (
                            'lei_feng_day', 'international_volunteer_day', 'large_event',
                            'civilised_traffic', 'metro_guidance', 'tree_planting', 'blood_donation',
                            'autumn_student_aid', 'new_year_visits', 'garbage_sorting',
                            'energy_saving', 'integrity', 'festival', 'reading', 'training',
                            'emergency', 'community_pairing', 'other')),
    organiser_branch_id BIGINT    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    place               TEXT      CHECK (char_length(place) <= 200),
    starts_at           TIMESTAMP NOT NULL,
    ends_at             TIMESTAMP NOT NULL,
    status              TEXT      NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'open', 'completed', 'cancelled')),
    capacity            INTEGER   CHECK (capacity BETWEEN 1 AND 100000),
    created_by          BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    version             BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_organiser_idx ON events (organiser_branch_id);
CREATE INDEX events_starts_at_idx ON events (starts_at);

CREATE TABLE event_plan_items (
    event_id     BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    plan_item_id BIGINT NOT NULL REFERENCES plan_items (id) ON DELETE RESTRICT,
    PRIMARY KEY (event_id, plan_item_id)
);
CREATE INDEX event_plan_items_item_idx ON event_plan_items (plan_item_id);

-- Hours served. Rows are never deleted: a withdrawn entry keeps its row with status
-- 'withdrawn', and a change to an approved entry is a new row whose `corrects_id` points at
-- the entry it corrects, with signed minutes.
CREATE TABLE hour_entries (
    id           BIGSERIAL PRIMARY KEY,
    volunteer_id BIGINT    NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    event_id     BIGINT    NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    -- the volunteer's branch when the service was done; a later move does not carry it along
    branch_id    BIGINT    NOT NULL REFERENCES branches (id) ON DELETE RESTRICT,
    minutes      INTEGER   NOT NULL,
    service_date DATE      NOT NULL,
    started_at   TIMESTAMP,
    ended_at     TIMESTAMP,
    role         TEXT      CHECK (char_length(role) BETWEEN 1 AND 50),
    note         TEXT      CHECK (char_length(note) <= 500),
    status       TEXT      NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
    corrects_id  BIGINT    REFERENCES hour_entries (id) ON DELETE RESTRICT,
    submitted_by BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    reviewed_by  BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    reviewed_at  TIMESTAMP,
    reason       TEXT      CHECK (char_length(reason) BETWEEN 1 AND 500),
    version      BIGINT    NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK ((corrects_id IS NULL AND minutes BETWEEN 1 AND 1440)
        OR (corrects_id IS NOT NULL AND minutes BETWEEN -1440 AND 1440 AND minutes <> 0)),
    CHECK ((started_at IS NULL) = (ended_at IS NULL)),
    CHECK (ended_at IS NULL OR ended_at > started_at),
    CHECK (corrects_id IS NULL OR corrects_id <> id),
    CHECK (status <> 'rejected' OR reason IS NOT NULL),
    CHECK (status NOT IN ('approved', 'rejected') OR reviewed_at IS NOT NULL)
);
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
    id          BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    actor_id    BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    action      TEXT      NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
    entity      TEXT      NOT NULL CHECK (char_length(entity) BETWEEN 1 AND 64),
    entity_id   BIGINT,
    before_json TEXT,
    after_json  TEXT,
    reason      TEXT      CHECK (char_length(reason) <= 1000),
    request_id  TEXT      CHECK (char_length(request_id) <= 100)
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Responses to requests that carried an Idempotency-Key, replayed on a retry.
CREATE TABLE idempotency_keys (
    id               BIGSERIAL PRIMARY KEY,
    user_id          BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key              TEXT      NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    method           TEXT      NOT NULL CHECK (char_length(method) BETWEEN 1 AND 10),
    path             TEXT      NOT NULL CHECK (char_length(path) BETWEEN 1 AND 2000),
    request_hash     TEXT      NOT NULL CHECK (char_length(request_hash) = 64),
    state            TEXT      NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'completed')),
    response_status  INTEGER   CHECK (response_status BETWEEN 100 AND 599),
    response_headers TEXT,
    response_body    TEXT,
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    completed_at     TIMESTAMP,
    expires_at       TIMESTAMP NOT NULL,
    UNIQUE (user_id, key),
    CHECK (state <> 'completed' OR (response_status IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Only a hash of each refresh token is kept. Tokens of one login form a family; a reused
-- token revokes its family.
CREATE TABLE refresh_tokens (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   TEXT      NOT NULL CHECK (char_length(family_id) BETWEEN 16 AND 64),
    token_hash  TEXT      NOT NULL UNIQUE CHECK (char_length(token_hash) = 64),
    issued_at   TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    revoked_at  TIMESTAMP,
    CHECK (expires_at > issued_at)
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
