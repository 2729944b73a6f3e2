//! The core's synchronous store traits over the async [`Db`].
//!
//! Only ever called from tokio's blocking pool (the core `Server` runs in
//! `spawn_blocking`, see [`crate::http`]), where `Handle::block_on` is
//! allowed; on a runtime worker it would panic, which the tests would show.

use fkn_core::distributed::{
    KeyId, KeyRecord, NoncePool, PoolEntry, ShareStore, StoreError, Taken,
};
use tokio::runtime::Handle;

use super::{Db, StorageError};

/// [`ShareStore`] and [`NoncePool`] over the database.
#[derive(Clone, Debug)]
pub struct SqlStores {
    db: Db,
    rt: Handle,
}

impl SqlStores {
    /// Stores over `db`, driving queries on the runtime of `rt`.
    pub fn new(db: Db, rt: Handle) -> Self {
        SqlStores { db, rt }
    }

    fn run<T>(
        &self,
        op: &'static str,
        f: impl Future<Output = Result<T, StorageError>>,
    ) -> Result<T, StoreError> {
        self.rt.block_on(f).map_err(|e| {
            // The core only learns "unavailable"; the operator gets the cause.
            tracing::error!(op, error = %e, "store operation failed");
            StoreError::Unavailable
        })
    }
}

impl ShareStore for SqlStores {
    fn load(&self, key_id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        self.run("share load", self.db.load_record(key_id))
    }

    fn insert(&self, record: &KeyRecord) -> Result<bool, StoreError> {
        self.run("share insert", self.db.insert_record(record))
    }

    fn replace(&self, record: &KeyRecord) -> Result<bool, StoreError> {
        self.run("share replace", self.db.replace_record(record))
    }
}

impl NoncePool for SqlStores {
    fn insert(&self, key_id: &KeyId, entries: &[PoolEntry]) -> Result<(), StoreError> {
        self.run("pool insert", self.db.pool_insert(key_id, entries))
    }

    fn take(&self, key_id: &KeyId, index: u64) -> Result<Taken, StoreError> {
        self.run("pool take", self.db.pool_take(key_id, index))
    }

    fn unused(&self, key_id: &KeyId) -> Result<usize, StoreError> {
        let counts = self.run("pool count", self.db.pool_counts(key_id))?;
        usize::try_from(counts.unused).map_err(|_| StoreError::Unavailable)
    }

    fn purge(&self, key_id: &KeyId) -> Result<(), StoreError> {
        self.run("pool purge", self.db.pool_purge(key_id))
    }
}
