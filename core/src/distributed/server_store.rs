//! What the server keeps, behind two traits a database implements: a
//! [`ShareStore`] of key records and a [`NoncePool`] of nonce commitments.
//!
//! Every state change is one atomic operation: records change only by
//! compare-and-swap on their row version ([`ShareStore::replace`]: one
//! `UPDATE ... WHERE id = ? AND version = ?`), so the two phases of a share
//! refresh are one swap each; a nonce is marked used, and its sealed secret
//! erased, by one [`NoncePool::take`] before anything is computed with it.

use std::collections::HashMap;
use std::sync::Mutex;

use super::error::StoreError;
use super::ids::KeyId;
use crate::crypto::ec::{CurveId, Point};

/// Where a key is in its life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Key generation round trip 1 done: the device's commitment and the
    /// server's public share.
    Generating {
        /// The device's hash commitment.
        commitment: [u8; 64],
        /// `Q_srv`.
        server_share: Point,
    },
    /// Usable.
    Active {
        /// `Q = Q_dev + Q_srv`.
        public: Point,
        /// `Q_dev`, to check partial signatures and PIN proofs.
        device_share: Point,
    },
    /// Revoked: the share is erased and every request refused.
    Revoked,
}

/// A share refresh between its two phases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRefresh {
    /// The device's commitment to `delta_dev`.
    pub commitment: [u8; 64],
    /// `delta_srv`, sealed.
    pub sealed_delta: Vec<u8>,
}

/// The server's record of one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRecord {
    /// The key.
    pub key_id: KeyId,
    /// Its curve.
    pub curve: CurveId,
    /// Row version for compare-and-swap; the store sets it.
    pub version: u64,
    /// Life-cycle state.
    pub state: KeyState,
    /// Refresh epoch of the shares (0 after key generation).
    pub epoch: u32,
    /// Wrong PINs since the last correct one.
    pub failures: u32,
    /// `d_srv` sealed under the key-encryption key (empty once revoked).
    pub sealed_share: Vec<u8>,
    /// A refresh between its phases.
    pub pending_refresh: Option<PendingRefresh>,
    /// Commitment of the last committed refresh, to answer a retried commit.
    pub last_refresh: Option<[u8; 64]>,
}

/// Durable storage of key records.
pub trait ShareStore: Send + Sync {
    /// The record of `key_id`, if any.
    fn load(&self, key_id: &KeyId) -> Result<Option<KeyRecord>, StoreError>;
    /// Stores a new record with version 1; `false` if the id is taken.
    fn insert(&self, record: &KeyRecord) -> Result<bool, StoreError>;
    /// Replaces the stored record if its version is `record.version`, storing
    /// version + 1; `false` (and no change) if it was changed meanwhile.
    fn replace(&self, record: &KeyRecord) -> Result<bool, StoreError>;
}

/// A server nonce pair: commitments in clear, secrets sealed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolEntry {
    /// Its index, unique per key.
    pub index: u64,
    /// `D_s`.
    pub d: Point,
    /// `E_s`.
    pub e: Point,
    /// `(a_s, b_s)` sealed, bound to key id, curve, index and commitments.
    pub sealed: Vec<u8>,
}

/// The outcome of [`NoncePool::take`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Taken {
    /// The entry was unused; it is now marked used and its secret erased.
    Fresh(Box<PoolEntry>),
    /// The entry was used before.
    AlreadyUsed,
    /// No such entry.
    Unknown,
}

/// Durable storage of server nonce pairs.
pub trait NoncePool: Send + Sync {
    /// Adds unused entries (indices are new).
    fn insert(&self, key_id: &KeyId, entries: &[PoolEntry]) -> Result<(), StoreError>;
    /// Atomically and durably marks `index` used and erases its sealed
    /// secret, returning the entry as it was. Must be durable when it
    /// returns: a crash afterwards wastes the entry, never reuses it.
    fn take(&self, key_id: &KeyId, index: u64) -> Result<Taken, StoreError>;
    /// How many unused entries the key has.
    fn unused(&self, key_id: &KeyId) -> Result<usize, StoreError>;
    /// Erases every entry of the key (revocation).
    fn purge(&self, key_id: &KeyId) -> Result<(), StoreError>;
}

/// [`ShareStore`] in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryShareStore {
    records: Mutex<HashMap<KeyId, KeyRecord>>,
}

impl MemoryShareStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl ShareStore for MemoryShareStore {
    fn load(&self, key_id: &KeyId) -> Result<Option<KeyRecord>, StoreError> {
        let m = self.records.lock().map_err(|_| StoreError::Unavailable)?;
        Ok(m.get(key_id).cloned())
    }

    fn insert(&self, record: &KeyRecord) -> Result<bool, StoreError> {
        let mut m = self.records.lock().map_err(|_| StoreError::Unavailable)?;
        if m.contains_key(&record.key_id) {
            return Ok(false);
        }
        let mut r = record.clone();
        r.version = 1;
        m.insert(r.key_id.clone(), r);
        Ok(true)
    }

    fn replace(&self, record: &KeyRecord) -> Result<bool, StoreError> {
        let mut m = self.records.lock().map_err(|_| StoreError::Unavailable)?;
        match m.get_mut(&record.key_id) {
            Some(old) if old.version == record.version => {
                *old = record.clone();
                old.version += 1;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// [`NoncePool`] in memory, for tests. Used entries stay as tombstones so a
/// replay is told apart from an unknown index.
#[derive(Debug, Default)]
pub struct MemoryNoncePool {
    entries: Mutex<HashMap<KeyId, HashMap<u64, Option<PoolEntry>>>>,
}

impl MemoryNoncePool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }
}

impl NoncePool for MemoryNoncePool {
    fn insert(&self, key_id: &KeyId, entries: &[PoolEntry]) -> Result<(), StoreError> {
        let mut m = self.entries.lock().map_err(|_| StoreError::Unavailable)?;
        let slot = m.entry(key_id.clone()).or_default();
        if entries.iter().any(|e| slot.contains_key(&e.index)) {
            return Err(StoreError::Unavailable);
        }
        for e in entries {
            slot.insert(e.index, Some(e.clone()));
        }
        Ok(())
    }

    fn take(&self, key_id: &KeyId, index: u64) -> Result<Taken, StoreError> {
        let mut m = self.entries.lock().map_err(|_| StoreError::Unavailable)?;
        Ok(match m.get_mut(key_id).and_then(|s| s.get_mut(&index)) {
            None => Taken::Unknown,
            Some(slot) => match slot.take() {
                Some(e) => Taken::Fresh(Box::new(e)),
                None => Taken::AlreadyUsed,
            },
        })
    }

    fn unused(&self, key_id: &KeyId) -> Result<usize, StoreError> {
        let m = self.entries.lock().map_err(|_| StoreError::Unavailable)?;
        Ok(m.get(key_id)
            .map_or(0, |s| s.values().filter(|e| e.is_some()).count()))
    }

    fn purge(&self, key_id: &KeyId) -> Result<(), StoreError> {
        let mut m = self.entries.lock().map_err(|_| StoreError::Unavailable)?;
        m.remove(key_id);
        Ok(())
    }
}
