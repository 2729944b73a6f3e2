-- Pairing (issue 12): the gateway's sealed SESPAKE/session state per
-- enrollment with a compare-and-swap version, request nonces of device
-- credentials, card keys registered at enrollment, and key ownership.

ALTER TABLE enrollments ADD COLUMN state TEXT;
ALTER TABLE enrollments ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- Seen (device, nonce) pairs of signed requests; pruned past the clock window.
CREATE TABLE device_nonces (
    device_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_nonces_seen ON device_nonces (seen_at);

-- NFC token keys registered to an account, with the CSR signed on the card.
CREATE TABLE card_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    label TEXT NOT NULL,
    curve TEXT NOT NULL,
    public_key TEXT NOT NULL,
    csr TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX card_keys_account ON card_keys (account_id);

-- Which device holds the device share of each two-party key.
CREATE TABLE key_owners (
    key_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    device_id TEXT NOT NULL REFERENCES devices (id),
    created_at BIGINT NOT NULL
);
