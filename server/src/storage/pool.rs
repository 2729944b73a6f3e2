//! `pool_entries`: server nonce pairs. Taking one is a conditional UPDATE
//! committed before the secret is returned, so no index is ever used twice,
//! by any number of instances, and a crash afterwards only wastes it.

use fkn_core::crypto::ec::{CurveId, Point};
use fkn_core::distributed::{KeyId, PoolEntry, Taken};
use sqlx::Row;

use super::{Db, StorageError};

fn corrupt(what: &'static str) -> StorageError {
    StorageError::Corrupt {
        table: "pool_entries",
        what,
    }
}

/// The pool of one key, counted, for the operator and the load test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PoolRow {
    /// Entries handed out and not used yet.
    pub unused: i64,
    /// Entries used (tombstones).
    pub used: i64,
}

/// The u64 index as the i64 the column holds (bit for bit).
fn idx(index: u64) -> i64 {
    i64::from_ne_bytes(index.to_ne_bytes())
}

impl Db {
    /// Adds unused entries in one transaction.
    pub async fn pool_insert(
        &self,
        key_id: &KeyId,
        entries: &[PoolEntry],
    ) -> Result<(), StorageError> {
        let mut tx = self.pool().begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO pool_entries (key_id, idx, curve, d, e, sealed, used) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0)",
            )
            .bind(key_id.as_str())
            .bind(idx(e.index))
            .bind(e.d.curve().name())
            .bind(hex::encode(e.d.to_bytes()))
            .bind(hex::encode(e.e.to_bytes()))
            .bind(hex::encode(&e.sealed))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks `index` used and erases its secret, returning the entry as it
    /// was; durable (committed) before it returns.
    ///
    /// The UPDATE comes first so the transaction holds the write lock before
    /// it reads (SQLite: no lock upgrade to fail; PostgreSQL: a concurrent
    /// taker waits on the row and then finds `used = 1`).
    pub async fn pool_take(&self, key_id: &KeyId, index: u64) -> Result<Taken, StorageError> {
        let mut tx = self.pool().begin().await?;
        let marked = sqlx::query(
            "UPDATE pool_entries SET used = 1 WHERE key_id = $1 AND idx = $2 AND used = 0",
        )
        .bind(key_id.as_str())
        .bind(idx(index))
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() != 1 {
            let exists =
                sqlx::query("SELECT used FROM pool_entries WHERE key_id = $1 AND idx = $2")
                    .bind(key_id.as_str())
                    .bind(idx(index))
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.rollback().await?;
            return Ok(if exists.is_some() {
                Taken::AlreadyUsed
            } else {
                Taken::Unknown
            });
        }
        let row = sqlx::query(
            "SELECT curve, d, e, sealed FROM pool_entries WHERE key_id = $1 AND idx = $2",
        )
        .bind(key_id.as_str())
        .bind(idx(index))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE pool_entries SET sealed = '' WHERE key_id = $1 AND idx = $2")
            .bind(key_id.as_str())
            .bind(idx(index))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let curve: String = row.try_get("curve")?;
        let curve = CurveId::from_name(&curve).ok_or(corrupt("curve"))?;
        let pt = |name: &'static str| -> Result<Point, StorageError> {
            let h: String = row.try_get(name)?;
            let b = hex::decode(h).map_err(|_| corrupt(name))?;
            Point::from_bytes(curve, &b).map_err(|_| corrupt(name))
        };
        let sealed: String = row.try_get("sealed")?;
        Ok(Taken::Fresh(Box::new(PoolEntry {
            index,
            d: pt("d")?,
            e: pt("e")?,
            sealed: hex::decode(sealed).map_err(|_| corrupt("sealed"))?,
        })))
    }

    /// Unused and used entries of a key.
    pub async fn pool_counts(&self, key_id: &KeyId) -> Result<PoolRow, StorageError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(1 - used), 0) AS BIGINT) AS unused, \
             CAST(COALESCE(SUM(used), 0) AS BIGINT) AS used \
             FROM pool_entries WHERE key_id = $1",
        )
        .bind(key_id.as_str())
        .fetch_one(self.pool())
        .await?;
        Ok(PoolRow {
            unused: row.try_get("unused")?,
            used: row.try_get("used")?,
        })
    }

    /// Erases every entry of a key (revocation).
    pub async fn pool_purge(&self, key_id: &KeyId) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM pool_entries WHERE key_id = $1")
            .bind(key_id.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
