//! One-time enrollments: an activation code for an account, valid until an
//! expiry, handed to the phone as an [`EnrollmentUri`] QR code.
//!
//! Redeeming it (SESPAKE with the code as password, then the device
//! credential, key generation and card registration over the shared key) is
//! the pairing endpoint still to come; the code is stored sealed so that
//! endpoint can use it as the password.

use fkn_core::onboarding::{EnrollmentUri, UriError, activation_code};
use zeroize::Zeroizing;

use crate::AppState;
use crate::qr::{QrImages, QrRenderError, render};
use crate::storage::accounts::NewEnrollment;
use crate::storage::audit::AuditEvent;
use crate::storage::{StorageError, now_secs, random_id};

/// Shortest and longest enrollment lifetime, seconds.
pub const TTL_RANGE: (u64, u64) = (60, 7 * 24 * 3600);
/// Lifetime when none is asked for: one day.
pub const DEFAULT_TTL: u64 = 24 * 3600;

/// Why an enrollment could not be created.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnrollError {
    /// Bad account id or server URL.
    #[error("{0}")]
    Invalid(#[from] UriError),
    /// Lifetime out of range.
    #[error("ttl_seconds must be between {} and {}", TTL_RANGE.0, TTL_RANGE.1)]
    Ttl,
    /// QR rendering failed.
    #[error(transparent)]
    Qr(#[from] QrRenderError),
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A created enrollment, shown once to the operator.
pub struct Created {
    /// Enrollment id.
    pub id: String,
    /// Account.
    pub account: String,
    /// The activation code (also inside the URI).
    pub code: Zeroizing<String>,
    /// The `fkn://enroll?...` URI.
    pub uri: Zeroizing<String>,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
    /// The URI as QR codes.
    pub qr: QrImages,
}

/// Creates an enrollment for `account` valid `ttl` seconds, audited.
pub async fn create(state: &AppState, account: &str, ttl: u64) -> Result<Created, EnrollError> {
    if !(TTL_RANGE.0..=TTL_RANGE.1).contains(&ttl) {
        return Err(EnrollError::Ttl);
    }
    let code = activation_code();
    let expires = u64::try_from(now_secs()).unwrap_or(0) + ttl;
    let uri = EnrollmentUri {
        server: state.public_url.clone(),
        account: account.to_owned(),
        code: code.to_string(),
        expires,
        server_key_fingerprint: state.identity.fingerprint(),
    };
    let text = Zeroizing::new(uri.format()?);
    let qr = render(&text)?;
    let id = random_id();
    let sealed = state.kek.seal("enrollment-code", &id, code.as_bytes());
    state
        .db
        .create_enrollment(&NewEnrollment {
            id: &id,
            account_id: account,
            sealed_code: &sealed,
            expires_at: i64::try_from(expires).unwrap_or(i64::MAX),
        })
        .await?;
    state
        .db
        .audit(
            AuditEvent::EnrollmentCreated,
            Some(account),
            None,
            &format!("enrollment {id}, expires {expires}"),
        )
        .await?;
    tracing::info!(account, enrollment = %id, expires, "enrollment created");
    Ok(Created {
        id,
        account: account.to_owned(),
        code,
        uri: text,
        expires_at: expires,
        qr,
    })
}
