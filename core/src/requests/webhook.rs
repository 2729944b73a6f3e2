//! Webhook signatures. The server signs every completion it announces with
//! its identity key (GOST R 34.10-2012, tc26-256-A, the key whose
//! fingerprint enrollment QR codes carry); a backend checks the signature
//! with [`verify_webhook`] before it trusts the body.
//!
//! Signed: Streebog-256 over the length-prefixed parts `"FKN webhook v1"`,
//! the decimal timestamp of the `Fkn-Timestamp` header and the exact body
//! bytes. `Fkn-Signature` holds `s || r` in hex.

use crate::crypto::ec::{SigningKey, VerifyingKey};
use crate::crypto::hash::streebog256;
use crate::crypto::os_rng;

/// The header with the Unix time of signing, decimal.
pub const TIMESTAMP_HEADER: &str = "fkn-timestamp";
/// The header with the signature, hex.
pub const SIGNATURE_HEADER: &str = "fkn-signature";

/// Why a webhook was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header is missing or not in its format.
    #[error("the webhook's signature headers are missing or malformed")]
    Malformed,
    /// Signed too long ago (or in the future): possibly a replay.
    #[error("the webhook's timestamp is outside the accepted window; possibly a replay")]
    Stale,
    /// The signature does not verify under the server's key.
    #[error("the webhook's signature does not verify; it did not come from the server")]
    BadSignature,
}

/// What is signed for `body` sent at `timestamp`.
pub fn webhook_digest(timestamp: u64, body: &[u8]) -> [u8; 32] {
    let ts = timestamp.to_string();
    let mut v = Vec::with_capacity(body.len() + 48);
    for part in [&b"FKN webhook v1"[..], ts.as_bytes(), body] {
        v.extend_from_slice(&(part.len() as u64).to_be_bytes());
        v.extend_from_slice(part);
    }
    streebog256(&v)
}

/// The `Fkn-Signature` value for `body` at `timestamp`.
pub fn sign_webhook(identity: &SigningKey, timestamp: u64, body: &[u8]) -> String {
    // A 32-byte digest on the 256-bit identity key cannot be refused.
    let sig = identity
        .sign_digest(&webhook_digest(timestamp, body), &mut os_rng())
        .unwrap_or_default();
    hex::encode(sig)
}

/// Checks a webhook: the headers' `timestamp` and `signature` over `body`
/// by `server_key`, signed within `tolerance` seconds of `now`.
///
/// # Errors
/// [`WebhookError`].
pub fn verify_webhook(
    server_key: &VerifyingKey,
    timestamp: &str,
    signature: &str,
    body: &[u8],
    now: u64,
    tolerance: u64,
) -> Result<(), WebhookError> {
    let ts: u64 = timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::Malformed)?;
    let sig = hex::decode(signature.trim()).map_err(|_| WebhookError::Malformed)?;
    server_key
        .verify_digest(&webhook_digest(ts, body), &sig)
        .map_err(|_| WebhookError::BadSignature)?;
    if ts.abs_diff(now) > tolerance {
        return Err(WebhookError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::CurveId;

    #[test]
    fn signed_webhooks_verify_and_forgeries_do_not() {
        let key = SigningKey::generate(CurveId::Tc26_256A, &mut os_rng());
        let public = key.verifying_key();
        let body = br#"{"request_id":"r1","state":"signed"}"#;
        let sig = sign_webhook(&key, 1000, body);
        assert_eq!(
            verify_webhook(&public, "1000", &sig, body, 1010, 300),
            Ok(())
        );
        let other = br#"{"request_id":"r1","state":"declined"}"#;
        assert_eq!(
            verify_webhook(&public, "1000", &sig, other, 1010, 300),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_webhook(&public, "1001", &sig, body, 1010, 300),
            Err(WebhookError::BadSignature),
            "the timestamp is signed"
        );
        let stranger = SigningKey::generate(CurveId::Tc26_256A, &mut os_rng());
        let forged = sign_webhook(&stranger, 1000, body);
        assert_eq!(
            verify_webhook(&public, "1000", &forged, body, 1010, 300),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_webhook(&public, "1000", &sig, body, 5000, 300),
            Err(WebhookError::Stale)
        );
        assert_eq!(
            verify_webhook(&public, "x", &sig, body, 1000, 300),
            Err(WebhookError::Malformed)
        );
        assert_eq!(
            verify_webhook(&public, "1000", "zz", body, 1000, 300),
            Err(WebhookError::Malformed)
        );
    }
}
