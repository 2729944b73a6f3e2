//! `audit_log`: what happened to accounts and keys, for the operator. Rows
//! carry ids and refusal names, never secrets.

use sqlx::Row;

use super::{Db, StorageError, now_us, random_id};

/// An audited event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditEvent {
    /// The operator created an enrollment.
    EnrollmentCreated,
    /// Key generation finished: a key became active.
    KeyGenerated,
    /// A signature was made.
    Signature,
    /// A wrong PIN (failed partial signature or PIN proof).
    PinFailed,
    /// A request refused because the key is (now) locked.
    KeyLocked,
    /// The operator revoked a key.
    Revoked,
    /// The operator unlocked a key.
    Unlocked,
    /// Another refused request (stale share, replayed nonce, malformed...).
    Refused,
    /// A device paired with the activation code.
    DevicePaired,
    /// A pairing step was refused (wrong, expired, used or locked code...).
    PairingRefused,
    /// A card key was registered at enrollment.
    CardRegistered,
    /// A device finished enrollment.
    EnrollmentCompleted,
    /// The operator revoked a device.
    DeviceRevoked,
    /// A signed device request was refused (replay, revoked device, bad signature...).
    AccessRefused,
    /// The operator registered a backend (an API key).
    BackendCreated,
    /// The operator revoked a backend's API key.
    BackendRevoked,
    /// A backend created a signing request.
    RequestCreated,
    /// A device signed a request; its CMS was checked and accepted.
    RequestSigned,
    /// A device declined a request.
    RequestDeclined,
    /// A request's deadline passed while it was pending.
    RequestExpired,
    /// A device's approval or decline was refused (wrong key, content...).
    ApprovalRefused,
    /// A webhook was given up after its retries.
    WebhookFailed,
}

impl AuditEvent {
    /// The name stored in the `event` column.
    pub fn name(self) -> &'static str {
        match self {
            AuditEvent::EnrollmentCreated => "enrollment_created",
            AuditEvent::KeyGenerated => "key_generated",
            AuditEvent::Signature => "signature",
            AuditEvent::PinFailed => "pin_failed",
            AuditEvent::KeyLocked => "key_locked",
            AuditEvent::Revoked => "revoked",
            AuditEvent::Unlocked => "unlocked",
            AuditEvent::Refused => "refused",
            AuditEvent::DevicePaired => "device_paired",
            AuditEvent::PairingRefused => "pairing_refused",
            AuditEvent::CardRegistered => "card_registered",
            AuditEvent::EnrollmentCompleted => "enrollment_completed",
            AuditEvent::DeviceRevoked => "device_revoked",
            AuditEvent::AccessRefused => "access_refused",
            AuditEvent::BackendCreated => "backend_created",
            AuditEvent::BackendRevoked => "backend_revoked",
            AuditEvent::RequestCreated => "request_created",
            AuditEvent::RequestSigned => "request_signed",
            AuditEvent::RequestDeclined => "request_declined",
            AuditEvent::RequestExpired => "request_expired",
            AuditEvent::ApprovalRefused => "approval_refused",
            AuditEvent::WebhookFailed => "webhook_failed",
        }
    }
}

/// One audit row.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AuditRow {
    /// Unix time, microseconds (orders events of one key: each is a round trip apart).
    pub at_us: i64,
    /// Event name.
    pub event: String,
    /// Account, if any.
    pub account_id: Option<String>,
    /// Key, if any.
    pub key_id: Option<String>,
    /// Free text without secrets.
    pub detail: String,
}

impl Db {
    /// Appends an audit row.
    pub async fn audit(
        &self,
        event: AuditEvent,
        account_id: Option<&str>,
        key_id: Option<&str>,
        detail: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO audit_log (id, at_us, event, account_id, key_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(random_id())
        .bind(now_us())
        .bind(event.name())
        .bind(account_id)
        .bind(key_id)
        .bind(detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The latest `limit` rows, newest first, of one key or account if given.
    pub async fn audit_rows(
        &self,
        limit: i64,
        key_id: Option<&str>,
        account_id: Option<&str>,
    ) -> Result<Vec<AuditRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT at_us, event, account_id, key_id, detail FROM audit_log \
             WHERE ($1 IS NULL OR key_id = $1) AND ($2 IS NULL OR account_id = $2) \
             ORDER BY at_us DESC, id LIMIT $3",
        )
        .bind(key_id)
        .bind(account_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    at_us: r.try_get("at_us")?,
                    event: r.try_get("event")?,
                    account_id: r.try_get("account_id")?,
                    key_id: r.try_get("key_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
