-- Record certificates (志愿服务记录证明): numbered per year without gaps, each a frozen
-- snapshot of what it states, verifiable by anyone holding its code.

-- The last sequence number issued in each year; the issuing transaction increments its
-- year's row, so two issues in one year are serialised on it and no number is skipped.
CREATE TABLE certificate_counters (
    year          INTEGER NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_sequence BIGINT  NOT NULL CHECK (last_sequence >= 0)
);

CREATE TABLE certificates (
    id              BIGSERIAL PRIMARY KEY,
    number          TEXT      NOT NULL UNIQUE CHECK (char_length(number) BETWEEN 1 AND 64),
    year            INTEGER   NOT NULL REFERENCES certificate_counters (year) ON DELETE RESTRICT,
    sequence        BIGINT    NOT NULL CHECK (sequence >= 1),
    volunteer_id    BIGINT    NOT NULL REFERENCES volunteers (id) ON DELETE RESTRICT,
    issued_by       BIGINT    NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    issued_at       TIMESTAMP NOT NULL,
    period_from     DATE,
    period_to       DATE,
    purpose         TEXT      CHECK (char_length(purpose) BETWEEN 1 AND 200),
    -- the certificate as issued, as JSON text, and the SHA-256 (hex) of exactly that text
    snapshot        TEXT      NOT NULL CHECK (char_length(snapshot) >= 2),
    snapshot_sha256 TEXT      NOT NULL CHECK (snapshot_sha256 ~ '^[0-9a-f]{64}$'),
    -- kept (not hashed): the PDF is drawn again from the snapshot and the code on each request
    code            TEXT      NOT NULL CHECK (code ~ '^[0-9A-Z]{12}$'),
    revoked_at      TIMESTAMP,
    revoked_by      BIGINT    REFERENCES users (id) ON DELETE RESTRICT,
    revoke_reason   TEXT      CHECK (char_length(revoke_reason) BETWEEN 1 AND 500),
    UNIQUE (year, sequence),
    CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to),
    CHECK ((revoked_at IS NULL AND revoked_by IS NULL AND revoke_reason IS NULL)
        OR (revoked_at IS NOT NULL AND revoked_by IS NOT NULL AND revoke_reason IS NOT NULL))
);
CREATE INDEX certificates_volunteer_idx ON certificates (volunteer_id, issued_at);
