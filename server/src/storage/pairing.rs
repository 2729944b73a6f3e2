//! What the pairing gateway stores: enrollment state, devices, request
//! nonces, card keys, key owners (migration 0002).

use fkn_core::crypto::ec::CurveId;
use fkn_core::onboarding::{CardRecord, PairedDevice};
use sqlx::Row;

use super::{Db, StorageError, now_ms};

fn corrupt(what: &'static str) -> StorageError {
    StorageError::Corrupt {
        table: "enrollments",
        what,
    }
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// An enrollment row with its code still sealed.
#[derive(Clone, Debug)]
pub struct EnrollmentRow {
    /// Id.
    pub id: String,
    /// Account.
    pub account_id: String,
    /// The code, sealed under the KEK.
    pub sealed_code: String,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
    /// When the code was spent.
    pub used_at: Option<u64>,
    /// SESPAKE attempts begun.
    pub attempts: u32,
    /// The gateway's sealed state.
    pub state: Option<Vec<u8>>,
    /// Compare-and-swap version.
    pub version: u64,
}

const ENROLLMENT_COLUMNS: &str =
    "id, account_id, sealed_code, expires_at, used_at, failures, state, version";

fn enrollment_row(r: &sqlx::any::AnyRow) -> Result<EnrollmentRow, StorageError> {
    let state: Option<String> = r.try_get("state")?;
    let state = match state {
        Some(h) => Some(hex::decode(h).map_err(|_| corrupt("state"))?),
        None => None,
    };
    let used_at: Option<i64> = r.try_get("used_at")?;
    let attempts: i64 = r.try_get("failures")?;
    Ok(EnrollmentRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        sealed_code: r.try_get("sealed_code")?,
        expires_at: to_u64(r.try_get("expires_at")?),
        used_at: used_at.map(to_u64),
        attempts: u32::try_from(attempts).map_err(|_| corrupt("failures"))?,
        state,
        version: to_u64(r.try_get("version")?),
    })
}

impl Db {
    /// The newest enrollment of `account`.
    pub async fn newest_enrollment(
        &self,
        account: &str,
    ) -> Result<Option<EnrollmentRow>, StorageError> {
        let q = format!(
            "SELECT {ENROLLMENT_COLUMNS} FROM enrollments WHERE account_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(&q)
            .bind(account)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(enrollment_row).transpose()
    }

    /// The enrollment `id`.
    pub async fn enrollment(&self, id: &str) -> Result<Option<EnrollmentRow>, StorageError> {
        let q = format!("SELECT {ENROLLMENT_COLUMNS} FROM enrollments WHERE id = $1");
        let row = sqlx::query(&q).bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(enrollment_row).transpose()
    }

    /// Compare-and-swap of the gateway's columns.
    pub async fn update_enrollment(
        &self,
        id: &str,
        version: u64,
        attempts: u32,
        used_at: Option<u64>,
        state: Option<&[u8]>,
    ) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE enrollments SET failures = $1, used_at = $2, state = $3, \
             version = version + 1 WHERE id = $4 AND version = $5",
        )
        .bind(i64::from(attempts))
        .bind(used_at.map(to_i64))
        .bind(state.map(hex::encode))
        .bind(id)
        .bind(to_i64(version))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds a paired device.
    pub async fn add_device(&self, d: &PairedDevice) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO devices (id, account_id, credential, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&d.id)
        .bind(&d.account)
        .bind(hex::encode(&d.credential))
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A device by id.
    pub async fn device(&self, id: &str) -> Result<Option<PairedDevice>, StorageError> {
        let row =
            sqlx::query("SELECT id, account_id, credential, revoked_at FROM devices WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let Some(r) = row else { return Ok(None) };
        let credential: String = r.try_get("credential")?;
        let revoked_at: Option<i64> = r.try_get("revoked_at")?;
        Ok(Some(PairedDevice {
            id: r.try_get("id")?,
            account: r.try_get("account_id")?,
            credential: hex::decode(credential).map_err(|_| StorageError::Corrupt {
                table: "devices",
                what: "credential",
            })?,
            revoked: revoked_at.is_some(),
        }))
    }

    /// Revokes a device; `false` if there is none or it was revoked already.
    pub async fn revoke_device(&self, id: &str) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a request nonce; `false` if this device used it before.
    pub async fn remember_nonce(
        &self,
        device: &str,
        nonce: &[u8],
        now: u64,
        forget_before: u64,
    ) -> Result<bool, StorageError> {
        sqlx::query("DELETE FROM device_nonces WHERE seen_at < $1")
            .bind(to_i64(forget_before))
            .execute(self.pool())
            .await?;
        let done = sqlx::query(
            "INSERT INTO device_nonces (device_id, nonce, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (device_id, nonce) DO NOTHING",
        )
        .bind(device)
        .bind(hex::encode(nonce))
        .bind(to_i64(now))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds a card key.
    pub async fn add_card(&self, c: &CardRecord) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO card_keys (id, account_id, device_id, label, curve, public_key, csr, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&c.id)
        .bind(&c.account)
        .bind(&c.device_id)
        .bind(&c.label)
        .bind(c.curve.name())
        .bind(hex::encode(&c.public_key))
        .bind(hex::encode(&c.csr))
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The card keys of every account, oldest first.
    pub async fn list_cards(&self) -> Result<Vec<CardRecord>, StorageError> {
        let rows = sqlx::query(&format!("{CARD_SELECT} ORDER BY created_at, id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(card_row).collect()
    }

    /// The card key `id`.
    pub async fn card(&self, id: &str) -> Result<Option<CardRecord>, StorageError> {
        let row = sqlx::query(&format!("{CARD_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(card_row).transpose()
    }

    /// Links a two-party key to its device and account.
    pub async fn link_key(
        &self,
        key_id: &str,
        account: &str,
        device: &str,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO key_owners (key_id, account_id, device_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(key_id)
        .bind(account)
        .bind(device)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE share_records SET account_id = $1 WHERE key_id = $2")
            .bind(account)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The device owning `key_id`.
    pub async fn key_owner(&self, key_id: &str) -> Result<Option<String>, StorageError> {
        let row = sqlx::query("SELECT device_id FROM key_owners WHERE key_id = $1")
            .bind(key_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("device_id")?),
            None => None,
        })
    }
}

const CARD_SELECT: &str =
    "SELECT id, account_id, device_id, label, curve, public_key, csr FROM card_keys";

fn card_row(r: &sqlx::any::AnyRow) -> Result<CardRecord, StorageError> {
    let bad = |what| StorageError::Corrupt {
        table: "card_keys",
        what,
    };
    let curve: String = r.try_get("curve")?;
    let public: String = r.try_get("public_key")?;
    let csr: String = r.try_get("csr")?;
    Ok(CardRecord {
        id: r.try_get("id")?,
        account: r.try_get("account_id")?,
        device_id: r.try_get("device_id")?,
        label: r.try_get("label")?,
        curve: CurveId::from_name(&curve).ok_or(bad("curve"))?,
        public_key: hex::decode(public).map_err(|_| bad("public_key"))?,
        csr: hex::decode(csr).map_err(|_| bad("csr"))?,
    })
}
