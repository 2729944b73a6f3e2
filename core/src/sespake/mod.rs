//! SESPAKE (RFC 8133) as used by OFP1 Section 4.
