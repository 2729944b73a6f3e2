-- One schema for SQLite and PostgreSQL: only TEXT and BIGINT columns, binary
-- values as lowercase hex, flags as 0/1, no auto-increment (ids are random).

-- Server-wide values shared by every instance (the identity key, sealed).
CREATE TABLE server_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- One-time activations; the code is sealed (the server needs it as the
-- SESPAKE password of pairing).
CREATE TABLE enrollments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    sealed_code TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX enrollments_account ON enrollments (account_id);

-- Paired devices and their long-term credentials (written by pairing).
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    credential TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX devices_account ON devices (account_id);

-- The core's KeyRecord; `version` is the compare-and-swap row version.
CREATE TABLE share_records (
    key_id TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts (id),
    curve TEXT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    commitment TEXT,
    server_share TEXT,
    public_key TEXT,
    device_share TEXT,
    epoch BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    sealed_share TEXT NOT NULL,
    pending_commitment TEXT,
    pending_delta TEXT,
    last_refresh TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Server nonce pairs. A used entry stays as a tombstone (secret erased) so a
-- replay is told apart from an unknown index. `idx` is the u64 index stored
-- as its two's-complement i64.
CREATE TABLE pool_entries (
    key_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    curve TEXT NOT NULL,
    d TEXT NOT NULL,
    e TEXT NOT NULL,
    sealed TEXT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, idx)
);
CREATE INDEX pool_entries_unused ON pool_entries (key_id, used);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    event TEXT NOT NULL,
    account_id TEXT,
    key_id TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_us);
