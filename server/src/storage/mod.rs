//! The database: one sqlx `Any` pool for SQLite (embedded default) and
//! PostgreSQL (production), one migration set for both, runtime queries only.
//!
//! The core's stores ([`ShareStore`], [`NoncePool`]) are synchronous: the
//! core [`fkn_core::distributed::Server`] runs on tokio's blocking pool
//! (`spawn_blocking`) and the stores in [`bridge`] drive these async queries
//! with the runtime [`tokio::runtime::Handle`] captured at start-up. A
//! blocking-pool thread is not inside the runtime, so `Handle::block_on` is
//! allowed there, and the async workers are never blocked.
//!
//! [`ShareStore`]: fkn_core::distributed::ShareStore
//! [`NoncePool`]: fkn_core::distributed::NoncePool

pub mod accounts;
pub mod audit;
pub mod bridge;
pub mod pairing;
mod pool;
pub mod requests;
mod shares;

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};

pub use pool::PoolRow;
pub use shares::ShareRow;

/// Why the database failed. The message names what to check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The URL names no supported database.
    #[error(
        "unsupported database URL scheme in {0:?}; use sqlite://PATH or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    /// Connecting or a query failed.
    #[error("database error: {0}; check that the database is reachable and writable")]
    Database(#[from] sqlx::Error),
    /// Applying the schema failed.
    #[error("database migration failed: {0}; the database may belong to a newer fkn-server")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row is not what this server writes.
    #[error("corrupted row in {table}: {what}; restore the database from a backup")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// What was wrong.
        what: &'static str,
    },
}

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, one file.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The shared connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// The schema, embedded so the binary needs no files beside it.
fn migrator() -> Migrator {
    Migrator {
        migrations: Cow::Owned(vec![
            Migration::new(
                1,
                Cow::Borrowed("initial"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("../../migrations/0001_initial.sql")),
                false,
            ),
            Migration::new(
                2,
                Cow::Borrowed("pairing"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("../../migrations/0002_pairing.sql")),
                false,
            ),
            Migration::new(
                3,
                Cow::Borrowed("requests"),
                MigrationType::Simple,
                Cow::Borrowed(include_str!("../../migrations/0003_requests.sql")),
                false,
            ),
        ]),
        ..Migrator::DEFAULT
    }
}

impl Db {
    /// Connects and brings the schema up to date (several instances may do
    /// so at once: on PostgreSQL the migrator takes an advisory lock).
    pub async fn connect(url: &str) -> Result<Db, StorageError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StorageError::UnsupportedUrl(redact_url(url)));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL
                        // syncs every commit, so a taken nonce stays taken.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        // One writer at a time: under load (or on a slow
                        // disk) wait for the lock rather than refuse.
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        migrator().run(&pool).await?;
        Ok(Db { pool, backend })
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for queries.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A trivial query, for the health check.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// A server-wide setting.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StorageError> {
        use sqlx::Row;
        let row = sqlx::query("SELECT value FROM server_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("value")?),
            None => None,
        })
    }

    /// Stores a setting unless one exists (instances racing at first start
    /// agree on the first value); the stored value.
    pub async fn setting_or_insert(&self, name: &str, value: &str) -> Result<String, StorageError> {
        sqlx::query(
            "INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        self.setting(name).await?.ok_or(StorageError::Corrupt {
            table: "server_settings",
            what: "setting vanished after insert",
        })
    }

    /// Closes every connection (after the server stopped).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The URL without a password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Unix time in microseconds.
pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Unix time in seconds.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// A random id: 16 bytes as hex.
pub fn random_id() -> String {
    let mut b = [0u8; 16];
    rand_fill(&mut b);
    hex::encode(b)
}

/// Fills `b` from the OS generator (the core's, which treats a failing
/// OS generator as fatal, as a key server must).
pub fn rand_fill(b: &mut [u8]) {
    rand_core::Rng::fill_bytes(&mut fkn_core::crypto::os_rng(), b);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(
            redact_url("postgres://fkn:s3cret@127.0.0.1:5432/fkn"),
            "postgres://fkn:***@127.0.0.1:5432/fkn"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
