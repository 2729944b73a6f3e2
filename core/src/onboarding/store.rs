//! What the server's pairing gateway keeps: enrollments, devices with their
//! credentials, seen request nonces, card keys, and which device owns which
//! two-party key. `fkn-server` implements it over SQL; [`MemoryPairingStore`]
//! serves tests and demos.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use zeroize::Zeroizing;

use crate::crypto::ec::CurveId;
use crate::distributed::StoreError;

/// One enrollment as the gateway reads and writes it.
#[derive(Clone)]
pub struct EnrollmentRecord {
    /// Enrollment id; also the pairing id on the wire.
    pub id: String,
    /// The account.
    pub account: String,
    /// The activation code (the store opens it from its sealed form).
    pub code: Zeroizing<String>,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
    /// When a correct code was presented (the code is spent from then on).
    pub used_at: Option<u64>,
    /// SESPAKE attempts begun with this code.
    pub attempts: u32,
    /// The gateway's sealed pairing state.
    pub state: Option<Vec<u8>>,
    /// Row version for compare-and-swap.
    pub version: u64,
}

impl EnrollmentRecord {
    /// A new enrollment of `account` with activation code `code`, expiring
    /// at `expires_at` (Unix seconds): a fresh id, no attempt, unused.
    pub fn new(account: &str, code: &str, expires_at: u64) -> Self {
        EnrollmentRecord {
            id: super::random_id(),
            account: account.to_owned(),
            code: Zeroizing::new(code.to_owned()),
            expires_at,
            used_at: None,
            attempts: 0,
            state: None,
            version: 0,
        }
    }
}

impl core::fmt::Debug for EnrollmentRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EnrollmentRecord")
            .field("id", &self.id)
            .field("account", &self.account)
            .field("expires_at", &self.expires_at)
            .field("used_at", &self.used_at)
            .field("attempts", &self.attempts)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A paired device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairedDevice {
    /// Device id.
    pub id: String,
    /// Its account.
    pub account: String,
    /// `BYTES(Q)` of its credential key (tc26-256-A).
    pub credential: Vec<u8>,
    /// Revoked by the operator.
    pub revoked: bool,
}

/// A card key registered at enrollment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRecord {
    /// Card key id.
    pub id: String,
    /// Its account.
    pub account: String,
    /// The device that registered it.
    pub device_id: String,
    /// A label from the app.
    pub label: String,
    /// The key's curve.
    pub curve: CurveId,
    /// `BYTES(Q)`.
    pub public_key: Vec<u8>,
    /// The PKCS#10 request signed on the card (DER).
    pub csr: Vec<u8>,
}

/// Storage of the pairing gateway. Every method is one atomic step.
pub trait PairingStore: Send + Sync {
    /// The newest enrollment of `account`, used or not.
    fn enrollment_for_account(&self, account: &str)
    -> Result<Option<EnrollmentRecord>, StoreError>;
    /// The enrollment `id`.
    fn enrollment(&self, id: &str) -> Result<Option<EnrollmentRecord>, StoreError>;
    /// Writes `attempts`, `used_at` and `state` of `record` if the stored
    /// version is still `record.version`, and bumps it. `false`: someone else
    /// wrote first.
    fn update_enrollment(&self, record: &EnrollmentRecord) -> Result<bool, StoreError>;
    /// Adds a device.
    fn add_device(&self, device: &PairedDevice) -> Result<(), StoreError>;
    /// A device by id.
    fn device(&self, id: &str) -> Result<Option<PairedDevice>, StoreError>;
    /// Remembers `nonce` of `device` seen at `now`; `false` if it was seen
    /// before. May forget nonces older than `forget_before`.
    fn remember_nonce(
        &self,
        device: &str,
        nonce: &[u8],
        now: u64,
        forget_before: u64,
    ) -> Result<bool, StoreError>;
    /// Adds a card key.
    fn add_card(&self, card: &CardRecord) -> Result<(), StoreError>;
    /// The card key `id`.
    fn card(&self, id: &str) -> Result<Option<CardRecord>, StoreError>;
    /// Records that `device` of `account` owns two-party key `key_id`.
    fn link_key(&self, key_id: &str, account: &str, device: &str) -> Result<(), StoreError>;
    /// The device that owns `key_id`, if any.
    fn key_owner(&self, key_id: &str) -> Result<Option<String>, StoreError>;
}

#[derive(Default)]
struct Memory {
    enrollments: HashMap<String, EnrollmentRecord>,
    devices: HashMap<String, PairedDevice>,
    nonces: HashMap<(String, Vec<u8>), u64>,
    cards: Vec<CardRecord>,
    owners: HashMap<String, String>,
    seen_accounts: HashSet<String>,
}

/// A [`PairingStore`] in memory.
#[derive(Default)]
pub struct MemoryPairingStore(Mutex<Memory>);

impl MemoryPairingStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds an enrollment (the operator's side, done by the server's admin API).
    pub fn add_enrollment(&self, record: EnrollmentRecord) {
        let mut m = self.lock();
        m.seen_accounts.insert(record.account.clone());
        m.enrollments.insert(record.id.clone(), record);
    }

    /// Marks a device revoked.
    pub fn revoke_device(&self, id: &str) {
        if let Some(d) = self.lock().devices.get_mut(id) {
            d.revoked = true;
        }
    }

    /// The registered card keys.
    pub fn cards(&self) -> Vec<CardRecord> {
        self.lock().cards.clone()
    }
}

impl PairingStore for MemoryPairingStore {
    fn enrollment_for_account(
        &self,
        account: &str,
    ) -> Result<Option<EnrollmentRecord>, StoreError> {
        let m = self.lock();
        // Newest: the largest expiry, as enrollments get the same lifetime.
        Ok(m.enrollments
            .values()
            .filter(|e| e.account == account)
            .max_by_key(|e| e.expires_at)
            .cloned())
    }

    fn enrollment(&self, id: &str) -> Result<Option<EnrollmentRecord>, StoreError> {
        Ok(self.lock().enrollments.get(id).cloned())
    }

    fn update_enrollment(&self, record: &EnrollmentRecord) -> Result<bool, StoreError> {
        let mut m = self.lock();
        let Some(e) = m.enrollments.get_mut(&record.id) else {
            return Ok(false);
        };
        if e.version != record.version {
            return Ok(false);
        }
        e.attempts = record.attempts;
        e.used_at = record.used_at;
        e.state.clone_from(&record.state);
        e.version += 1;
        Ok(true)
    }

    fn add_device(&self, device: &PairedDevice) -> Result<(), StoreError> {
        self.lock()
            .devices
            .insert(device.id.clone(), device.clone());
        Ok(())
    }

    fn device(&self, id: &str) -> Result<Option<PairedDevice>, StoreError> {
        Ok(self.lock().devices.get(id).cloned())
    }

    fn remember_nonce(
        &self,
        device: &str,
        nonce: &[u8],
        now: u64,
        forget_before: u64,
    ) -> Result<bool, StoreError> {
        let mut m = self.lock();
        m.nonces.retain(|_, at| *at >= forget_before);
        Ok(m.nonces
            .insert((device.to_owned(), nonce.to_vec()), now)
            .is_none())
    }

    fn add_card(&self, card: &CardRecord) -> Result<(), StoreError> {
        self.lock().cards.push(card.clone());
        Ok(())
    }

    fn card(&self, id: &str) -> Result<Option<CardRecord>, StoreError> {
        Ok(self.lock().cards.iter().find(|c| c.id == id).cloned())
    }

    fn link_key(&self, key_id: &str, _account: &str, device: &str) -> Result<(), StoreError> {
        self.lock()
            .owners
            .insert(key_id.to_owned(), device.to_owned());
        Ok(())
    }

    fn key_owner(&self, key_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock().owners.get(key_id).cloned())
    }
}
