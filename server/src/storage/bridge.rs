//! The core's synchronous store traits over the async [`Db`].
//!
//! Only ever called from tokio's blocking pool (the core `Server` runs in
//! `spawn_blocking`, see [`crate::http`]), where `Handle::block_on` is
//! allowed; on a runtime worker it would panic, which the tests would show.

use fkn_core::distributed::{
    KeyId, KeyRecord, NoncePool, PoolEntry, ShareStore, StoreError, Taken,
};
use fkn_core::onboarding::{CardRecord, EnrollmentRecord, PairedDevice, PairingStore};
use fkn_core::requests::{RequestStore, SigningRequest};
use tokio::runtime::Handle;
use zeroize::Zeroizing;

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

/// The pairing gateway's [`PairingStore`] over the database; opens sealed
/// activation codes with the KEK.
pub struct SqlPairingStore {
    stores: SqlStores,
    kek: crate::secrets::Kek,
}

impl core::fmt::Debug for SqlPairingStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SqlPairingStore").finish_non_exhaustive()
    }
}

impl SqlPairingStore {
    /// Over `stores`' database, opening codes with `kek`.
    pub fn new(stores: SqlStores, kek: crate::secrets::Kek) -> Self {
        SqlPairingStore { stores, kek }
    }

    fn record(&self, row: super::pairing::EnrollmentRow) -> Result<EnrollmentRecord, StoreError> {
        let code = self
            .kek
            .open("enrollment-code", &row.id, &row.sealed_code)
            .map_err(|e| {
                tracing::error!(enrollment = %row.id, error = %e, "activation code does not open");
                StoreError::Unavailable
            })?;
        let code =
            String::from_utf8(code.expose().to_vec()).map_err(|_| StoreError::Unavailable)?;
        Ok(EnrollmentRecord {
            id: row.id,
            account: row.account_id,
            code: Zeroizing::new(code),
            expires_at: row.expires_at,
            used_at: row.used_at,
            attempts: row.attempts,
            state: row.state,
            version: row.version,
        })
    }
}

impl PairingStore for SqlPairingStore {
    fn enrollment_for_account(
        &self,
        account: &str,
    ) -> Result<Option<EnrollmentRecord>, StoreError> {
        let s = &self.stores;
        s.run("enrollment by account", s.db.newest_enrollment(account))?
            .map(|r| self.record(r))
            .transpose()
    }

    fn enrollment(&self, id: &str) -> Result<Option<EnrollmentRecord>, StoreError> {
        let s = &self.stores;
        s.run("enrollment", s.db.enrollment(id))?
            .map(|r| self.record(r))
            .transpose()
    }

    fn update_enrollment(&self, r: &EnrollmentRecord) -> Result<bool, StoreError> {
        let s = &self.stores;
        s.run(
            "enrollment update",
            s.db.update_enrollment(&r.id, r.version, r.attempts, r.used_at, r.state.as_deref()),
        )
    }

    fn add_device(&self, device: &PairedDevice) -> Result<(), StoreError> {
        let s = &self.stores;
        s.run("device insert", s.db.add_device(device))
    }

    fn device(&self, id: &str) -> Result<Option<PairedDevice>, StoreError> {
        let s = &self.stores;
        s.run("device load", s.db.device(id))
    }

    fn remember_nonce(
        &self,
        device: &str,
        nonce: &[u8],
        now: u64,
        forget_before: u64,
    ) -> Result<bool, StoreError> {
        let s = &self.stores;
        s.run(
            "request nonce",
            s.db.remember_nonce(device, nonce, now, forget_before),
        )
    }

    fn add_card(&self, card: &CardRecord) -> Result<(), StoreError> {
        let s = &self.stores;
        s.run("card insert", s.db.add_card(card))
    }

    fn card(&self, id: &str) -> Result<Option<CardRecord>, StoreError> {
        let s = &self.stores;
        s.run("card load", s.db.card(id))
    }

    fn link_key(&self, key_id: &str, account: &str, device: &str) -> Result<(), StoreError> {
        let s = &self.stores;
        s.run("key link", s.db.link_key(key_id, account, device))
    }

    fn key_owner(&self, key_id: &str) -> Result<Option<String>, StoreError> {
        let s = &self.stores;
        s.run("key owner", s.db.key_owner(key_id))
    }
}

/// The request desk's [`RequestStore`] over the database (state changes
/// queue their webhooks in the same transaction; documents and signatures
/// sealed under the KEK).
pub struct SqlRequestStore {
    stores: SqlStores,
    kek: crate::secrets::Kek,
}

impl SqlRequestStore {
    /// Requests in the database of `stores`, sealed under `kek`.
    pub fn new(stores: SqlStores, kek: crate::secrets::Kek) -> Self {
        SqlRequestStore { stores, kek }
    }
}

impl RequestStore for SqlRequestStore {
    fn insert(&self, request: &SigningRequest) -> Result<(), StoreError> {
        let (s, k) = (&self.stores, &self.kek);
        s.run("request insert", s.db.insert_request(request, k))
    }

    fn get(&self, id: &str) -> Result<Option<SigningRequest>, StoreError> {
        let (s, k) = (&self.stores, &self.kek);
        s.run("request load", s.db.request(id, k))
    }

    fn pending(
        &self,
        account: &str,
        now: u64,
        limit: usize,
    ) -> Result<Vec<SigningRequest>, StoreError> {
        let (s, k) = (&self.stores, &self.kek);
        s.run(
            "pending requests",
            s.db.pending_requests(account, now, limit, k),
        )
    }

    fn finish(&self, done: &SigningRequest, now: u64) -> Result<bool, StoreError> {
        let (s, k) = (&self.stores, &self.kek);
        s.run("request finish", s.db.finish_request(done, now, k))
    }

    fn expire(&self, now: u64) -> Result<Vec<SigningRequest>, StoreError> {
        let (s, k) = (&self.stores, &self.kek);
        s.run("request expiry", s.db.expire_requests(now, k))
    }
}
