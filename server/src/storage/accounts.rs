//! `accounts`, `enrollments` and `devices`.

use sqlx::Row;

use super::{Db, StorageError, now_ms};

/// An account with its enrollments and devices counted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AccountRow {
    /// Account id.
    pub id: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Enrollments not used and not expired.
    pub pending_enrollments: i64,
    /// Paired devices not revoked.
    pub devices: i64,
}

/// A paired device.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DeviceRow {
    /// Device id.
    pub id: String,
    /// Its account.
    pub account_id: String,
    /// Pairing time, Unix ms.
    pub created_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

/// A new enrollment as stored.
#[derive(Debug)]
pub struct NewEnrollment<'a> {
    /// Random id.
    pub id: &'a str,
    /// Account (created if new).
    pub account_id: &'a str,
    /// The activation code sealed under the KEK.
    pub sealed_code: &'a str,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

impl Db {
    /// Stores an enrollment, creating its account if needed.
    pub async fn create_enrollment(&self, e: &NewEnrollment<'_>) -> Result<(), StorageError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO accounts (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(e.account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO enrollments (id, account_id, sealed_code, created_at, expires_at, failures) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(e.id)
        .bind(e.account_id)
        .bind(e.sealed_code)
        .bind(now)
        .bind(e.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account, oldest first.
    pub async fn list_accounts(&self, now_secs: i64) -> Result<Vec<AccountRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.id, a.created_at, \
             (SELECT COUNT(*) FROM enrollments e WHERE e.account_id = a.id \
                AND e.used_at IS NULL AND e.expires_at > $1) AS pending, \
             (SELECT COUNT(*) FROM devices d WHERE d.account_id = a.id \
                AND d.revoked_at IS NULL) AS devices \
             FROM accounts a ORDER BY a.created_at, a.id",
        )
        .bind(now_secs)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountRow {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                    pending_enrollments: r.try_get("pending")?,
                    devices: r.try_get("devices")?,
                })
            })
            .collect()
    }

    /// Every paired device, oldest first.
    pub async fn list_devices(&self) -> Result<Vec<DeviceRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, account_id, created_at, revoked_at FROM devices ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeviceRow {
                    id: r.try_get("id")?,
                    account_id: r.try_get("account_id")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }
}
