//! `share_records`: the core's [`KeyRecord`] as one row, changed only by
//! compare-and-swap on `version`.

use fkn_core::crypto::ec::{CurveId, Point};
use fkn_core::distributed::{KeyId, KeyRecord, KeyState, PendingRefresh};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Db, StorageError, now_ms};

const TABLE: &str = "share_records";

fn corrupt(what: &'static str) -> StorageError {
    StorageError::Corrupt { table: TABLE, what }
}

/// A key record as the operator lists it (no sealed values).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ShareRow {
    /// Key id.
    pub key_id: String,
    /// Account, once pairing links keys to accounts.
    pub account_id: Option<String>,
    /// Curve name.
    pub curve: String,
    /// `generating`, `active` or `revoked`.
    pub state: String,
    /// Refresh epoch.
    pub epoch: i64,
    /// Wrong PINs in a row.
    pub failures: i64,
    /// Joint public key, hex, once active.
    pub public_key: Option<String>,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

fn opt_hex(v: Option<&[u8]>) -> Option<String> {
    v.map(hex::encode)
}

fn point(
    curve: CurveId,
    hex_text: Option<String>,
    what: &'static str,
) -> Result<Point, StorageError> {
    let bytes = hex::decode(hex_text.ok_or(corrupt(what))?).map_err(|_| corrupt(what))?;
    Point::from_bytes(curve, &bytes).map_err(|_| corrupt(what))
}

fn fixed64(hex_text: &str, what: &'static str) -> Result<[u8; 64], StorageError> {
    let mut out = [0u8; 64];
    hex::decode_to_slice(hex_text, &mut out).map_err(|_| corrupt(what))?;
    Ok(out)
}

fn record_from_row(row: &AnyRow) -> Result<KeyRecord, StorageError> {
    let key_id: String = row.try_get("key_id")?;
    let key_id = KeyId::new(&key_id).map_err(|_| corrupt("key_id"))?;
    let curve: String = row.try_get("curve")?;
    let curve = CurveId::from_name(&curve).ok_or(corrupt("curve"))?;
    let state: String = row.try_get("state")?;
    let state = match state.as_str() {
        "generating" => KeyState::Generating {
            commitment: fixed64(
                &row.try_get::<Option<String>, _>("commitment")?
                    .ok_or(corrupt("commitment"))?,
                "commitment",
            )?,
            server_share: point(curve, row.try_get("server_share")?, "server_share")?,
        },
        "active" => KeyState::Active {
            public: point(curve, row.try_get("public_key")?, "public_key")?,
            device_share: point(curve, row.try_get("device_share")?, "device_share")?,
        },
        "revoked" => KeyState::Revoked,
        _ => return Err(corrupt("state")),
    };
    let pending_commitment: Option<String> = row.try_get("pending_commitment")?;
    let pending_delta: Option<String> = row.try_get("pending_delta")?;
    let pending_refresh = match (pending_commitment, pending_delta) {
        (Some(c), Some(d)) => Some(PendingRefresh {
            commitment: fixed64(&c, "pending_commitment")?,
            sealed_delta: hex::decode(d).map_err(|_| corrupt("pending_delta"))?,
        }),
        (None, None) => None,
        _ => return Err(corrupt("pending refresh half stored")),
    };
    let last_refresh = match row.try_get::<Option<String>, _>("last_refresh")? {
        Some(t) => Some(fixed64(&t, "last_refresh")?),
        None => None,
    };
    let int = |name: &'static str| -> Result<i64, StorageError> { Ok(row.try_get(name)?) };
    Ok(KeyRecord {
        key_id,
        curve,
        version: u64::try_from(int("version")?).map_err(|_| corrupt("version"))?,
        state,
        epoch: u32::try_from(int("epoch")?).map_err(|_| corrupt("epoch"))?,
        failures: u32::try_from(int("failures")?).map_err(|_| corrupt("failures"))?,
        sealed_share: hex::decode(row.try_get::<String, _>("sealed_share")?)
            .map_err(|_| corrupt("sealed_share"))?,
        pending_refresh,
        last_refresh,
    })
}

/// The state-dependent columns of a record.
struct StateCols {
    state: &'static str,
    commitment: Option<String>,
    server_share: Option<String>,
    public_key: Option<String>,
    device_share: Option<String>,
}

fn state_cols(s: &KeyState) -> StateCols {
    match s {
        KeyState::Generating {
            commitment,
            server_share,
        } => StateCols {
            state: "generating",
            commitment: Some(hex::encode(commitment)),
            server_share: Some(hex::encode(server_share.to_bytes())),
            public_key: None,
            device_share: None,
        },
        KeyState::Active {
            public,
            device_share,
        } => StateCols {
            state: "active",
            commitment: None,
            server_share: None,
            public_key: Some(hex::encode(public.to_bytes())),
            device_share: Some(hex::encode(device_share.to_bytes())),
        },
        KeyState::Revoked => StateCols {
            state: "revoked",
            commitment: None,
            server_share: None,
            public_key: None,
            device_share: None,
        },
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds `$1` to `$12`: the record's columns in the order both the INSERT
/// and the UPDATE list them.
fn bind_columns<'q>(query: AnyQuery<'q>, r: &KeyRecord) -> AnyQuery<'q> {
    let c = state_cols(&r.state);
    query
        .bind(r.curve.name())
        .bind(c.state)
        .bind(c.commitment)
        .bind(c.server_share)
        .bind(c.public_key)
        .bind(c.device_share)
        .bind(i64::from(r.epoch))
        .bind(i64::from(r.failures))
        .bind(hex::encode(&r.sealed_share))
        .bind(opt_hex(
            r.pending_refresh.as_ref().map(|p| &p.commitment[..]),
        ))
        .bind(opt_hex(
            r.pending_refresh.as_ref().map(|p| &p.sealed_delta[..]),
        ))
        .bind(opt_hex(r.last_refresh.as_ref().map(|c| &c[..])))
}

impl Db {
    /// The record of `key_id`, if any.
    pub async fn load_record(&self, key_id: &KeyId) -> Result<Option<KeyRecord>, StorageError> {
        let row = sqlx::query("SELECT * FROM share_records WHERE key_id = $1")
            .bind(key_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// Inserts a new record at version 1; `false` if the id is taken.
    pub async fn insert_record(&self, r: &KeyRecord) -> Result<bool, StorageError> {
        let now = now_ms();
        let query = sqlx::query(
            "INSERT INTO share_records (curve, state, commitment, server_share, public_key, \
             device_share, epoch, failures, sealed_share, pending_commitment, pending_delta, \
             last_refresh, key_id, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) \
             ON CONFLICT (key_id) DO NOTHING",
        );
        let done = bind_columns(query, r)
            .bind(r.key_id.as_str())
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the record if it is still at `r.version` (one conditional
    /// UPDATE, so concurrent instances never lose an update); `false` if it
    /// changed meanwhile.
    pub async fn replace_record(&self, r: &KeyRecord) -> Result<bool, StorageError> {
        let version = i64::try_from(r.version).map_err(|_| corrupt("version"))?;
        let query = sqlx::query(
            "UPDATE share_records SET version = version + 1, curve = $1, state = $2, \
             commitment = $3, server_share = $4, public_key = $5, device_share = $6, \
             epoch = $7, failures = $8, sealed_share = $9, pending_commitment = $10, \
             pending_delta = $11, last_refresh = $12, updated_at = $13 \
             WHERE key_id = $14 AND version = $15",
        );
        let done = bind_columns(query, r)
            .bind(now_ms())
            .bind(r.key_id.as_str())
            .bind(version)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every key record, newest first, for the operator.
    pub async fn list_records(&self) -> Result<Vec<ShareRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT key_id, account_id, curve, state, epoch, failures, public_key, created_at \
             FROM share_records ORDER BY created_at DESC, key_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ShareRow {
                    key_id: r.try_get("key_id")?,
                    account_id: r.try_get("account_id")?,
                    curve: r.try_get("curve")?,
                    state: r.try_get("state")?,
                    epoch: r.try_get("epoch")?,
                    failures: r.try_get("failures")?,
                    public_key: r.try_get("public_key")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}
