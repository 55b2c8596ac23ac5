-- Record certificates (志愿服务记录证明): numbered per year without gaps, each a frozen
-- snapshot of what it states, verifiable by anyone holding its code.

-- The last sequence number issued in each year; the issuing transaction (BEGIN IMMEDIATE)
-- increments its year's row, so no number is skipped.
CREATE TABLE certificate_counters (
    year          INTEGER NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_sequence INTEGER NOT NULL CHECK (last_sequence >= 0)
) STRICT;

CREATE TABLE certificates (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 64),
    year            INTEGER NOT NULL REFERENCES certificate_counters (year) ON DELETE RESTRICT,
    sequence        INTEGER NOT NULL CHECK (sequence >= 1),
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    issued_by       INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    issued_at       TEXT    NOT NULL,
    period_from     TEXT,
    period_to       TEXT,
    purpose         TEXT    CHECK (length(purpose) BETWEEN 1 AND 200),
    -- the certificate as issued, as JSON text, and the SHA-256 (hex) of exactly that text
    snapshot        TEXT    NOT NULL CHECK (length(snapshot) >= 2),
    snapshot_sha256 TEXT    NOT NULL CHECK (length(snapshot_sha256) = 64 AND snapshot_sha256 NOT GLOB '*[^0-9a-f]*'),
    -- kept (not hashed): the PDF is drawn again from the snapshot and the code on each request
    code            TEXT    NOT NULL CHECK (length(code) = 12 AND code NOT GLOB '*[^0-9A-Z]*'),
    revoked_at      TEXT,
    revoked_by      INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    revoke_reason   TEXT    CHECK (length(revoke_reason) BETWEEN 1 AND 500),
    UNIQUE (year, sequence),
    CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to),
    CHECK ((revoked_at IS NULL AND revoked_by IS NULL AND revoke_reason IS NULL)
        OR (revoked_at IS NOT NULL AND revoked_by IS NOT NULL AND revoke_reason IS NOT NULL))
) STRICT;
CREATE INDEX certificates_volunteer_idx ON certificates (volunteer_id, issued_at);
