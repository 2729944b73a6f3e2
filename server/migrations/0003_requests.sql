-- Signing requests (issue 13): backends with their API key hashes and
-- webhooks, the requests, and one webhook delivery per state change.

-- A backend (relying party) posting signing requests with its API key.
CREATE TABLE backends (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- Streebog-256 of the API key, hex; the key itself is shown once.
    key_hash TEXT NOT NULL UNIQUE,
    webhook_url TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE signing_requests (
    id TEXT PRIMARY KEY,
    backend_id TEXT NOT NULL REFERENCES backends (id),
    account_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- 'document' (content = the bytes) or 'digest' (content = the digest).
    content_kind TEXT NOT NULL,
    content TEXT NOT NULL,
    summary TEXT,
    -- 'card' or 'distributed', and the key's id.
    key_kind TEXT NOT NULL,
    key_ref TEXT NOT NULL,
    detached BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    -- pending, signed, declined, expired
    state TEXT NOT NULL,
    cms TEXT,
    decline_reason TEXT,
    device_id TEXT,
    finished_at BIGINT
);
CREATE INDEX signing_requests_pending ON signing_requests (account_id, state, created_at);
CREATE INDEX signing_requests_due ON signing_requests (state, deadline);

-- One delivery per (request, state): written in the transaction that
-- changes the state, so a change is announced at most once.
CREATE TABLE webhook_deliveries (
    request_id TEXT NOT NULL REFERENCES signing_requests (id),
    state TEXT NOT NULL,
    backend_id TEXT NOT NULL REFERENCES backends (id),
    attempts BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    delivered_at BIGINT,
    failed_at BIGINT,
    last_error TEXT,
    PRIMARY KEY (request_id, state)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, failed_at, next_at);
