//! A device and a server in one process, joined by a channel that can lose,
//! alter or record messages, and stores that can fail on demand.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    ChannelError, Device, DeviceConfig, KeyId, MemoryNoncePool, MemorySecureStore,
    MemoryShareStore, NoncePool, PoolEntry, SecureStore, Server, ServerChannel, ServerConfig,
    StoreError, Taken,
};

pub const PIN: &[u8] = b"1234";

type Hook = Box<dyn FnMut(Vec<u8>) -> Vec<u8> + Send>;

/// What the channel does with the next exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request never reaches the server.
    DropRequest,
    /// The server acts, the answer is lost.
    DropResponse,
}

/// In-process channel with fault injection and a log of requests.
pub struct TestChannel {
    pub server: Arc<Server>,
    pub exchanges: AtomicUsize,
    pub log: Mutex<Vec<Vec<u8>>>,
    pub faults: Mutex<Vec<(usize, Fault)>>,
    pub on_request: Mutex<Option<Hook>>,
    pub on_response: Mutex<Option<Hook>>,
}

impl TestChannel {
    /// Makes exchange number `n` (counted from now, 0 = the next) fail.
    pub fn fail(&self, n: usize, f: Fault) {
        let at = self.exchanges.load(Ordering::SeqCst) + n;
        self.faults.lock().unwrap().push((at, f));
    }

    pub fn count(&self) -> usize {
        self.exchanges.load(Ordering::SeqCst)
    }

    pub fn last_request(&self) -> Vec<u8> {
        self.log.lock().unwrap().last().cloned().unwrap()
    }

    pub fn alter_requests(&self, f: impl FnMut(Vec<u8>) -> Vec<u8> + Send + 'static) {
        *self.on_request.lock().unwrap() = Some(Box::new(f));
    }

    pub fn alter_responses(&self, f: impl FnMut(Vec<u8>) -> Vec<u8> + Send + 'static) {
        *self.on_response.lock().unwrap() = Some(Box::new(f));
    }

    pub fn clear_hooks(&self) {
        *self.on_request.lock().unwrap() = None;
        *self.on_response.lock().unwrap() = None;
    }
}

impl ServerChannel for TestChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let n = self.exchanges.fetch_add(1, Ordering::SeqCst);
        let fault = {
            let mut f = self.faults.lock().unwrap();
            let hit = f.iter().position(|(at, _)| *at == n);
            hit.map(|i| f.remove(i).1)
        };
        let mut req = request.to_vec();
        if let Some(h) = self.on_request.lock().unwrap().as_mut() {
            req = h(req);
        }
        self.log.lock().unwrap().push(req.clone());
        if fault == Some(Fault::DropRequest) {
            return Err(ChannelError::Unreachable);
        }
        let mut resp = self.server.handle(&req);
        if fault == Some(Fault::DropResponse) {
            return Err(ChannelError::Timeout);
        }
        if let Some(h) = self.on_response.lock().unwrap().as_mut() {
            resp = h(resp);
        }
        Ok(resp)
    }
}

/// A device store whose saves can be made to fail (a crash before the write).
#[derive(Default)]
pub struct FlakyStore {
    pub inner: MemorySecureStore,
    /// Fail the save with this number (0 = the next), counted from when set.
    pub fail_at: Mutex<Option<usize>>,
    pub saves: AtomicUsize,
}

impl FlakyStore {
    pub fn fail_save(&self, n: usize) {
        *self.fail_at.lock().unwrap() = Some(self.saves.load(Ordering::SeqCst) + n);
    }
}

impl SecureStore for FlakyStore {
    fn load(&self, key_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.load(key_id)
    }

    fn save(&self, key_id: &str, blob: &[u8]) -> Result<(), StoreError> {
        let n = self.saves.fetch_add(1, Ordering::SeqCst);
        let mut f = self.fail_at.lock().unwrap();
        if *f == Some(n) {
            *f = None;
            return Err(StoreError::Io(std::io::ErrorKind::Other));
        }
        self.inner.save(key_id, blob)
    }

    fn delete(&self, key_id: &str) -> Result<(), StoreError> {
        self.inner.delete(key_id)
    }
}

/// A nonce pool that "crashes" right after durably marking an index used.
#[derive(Default)]
pub struct CrashingPool {
    pub inner: MemoryNoncePool,
    pub crash_next_take: Mutex<bool>,
}

impl NoncePool for CrashingPool {
    fn insert(&self, key_id: &KeyId, entries: &[PoolEntry]) -> Result<(), StoreError> {
        self.inner.insert(key_id, entries)
    }

    fn take(&self, key_id: &KeyId, index: u64) -> Result<Taken, StoreError> {
        let taken = self.inner.take(key_id, index)?;
        let mut crash = self.crash_next_take.lock().unwrap();
        if *crash {
            *crash = false;
            return Err(StoreError::Unavailable);
        }
        Ok(taken)
    }

    fn unused(&self, key_id: &KeyId) -> Result<usize, StoreError> {
        self.inner.unused(key_id)
    }

    fn purge(&self, key_id: &KeyId) -> Result<(), StoreError> {
        self.inner.purge(key_id)
    }
}

pub struct Lab {
    pub shares: Arc<MemoryShareStore>,
    pub pool: Arc<CrashingPool>,
    pub server: Arc<Server>,
    pub channel: Arc<TestChannel>,
    pub store: Arc<FlakyStore>,
    pub device: Device,
    pub kek: Key256,
}

pub fn device_config() -> DeviceConfig {
    DeviceConfig {
        pbkdf2_iterations: 2,
        batch_size: 4,
    }
}

impl Lab {
    pub fn new() -> Lab {
        let shares = Arc::new(MemoryShareStore::new());
        let pool = Arc::new(CrashingPool::default());
        let kek = Key256::from_bytes([0x42; 32]);
        let server = Arc::new(Server::new(
            shares.clone(),
            pool.clone(),
            &kek,
            ServerConfig::default(),
        ));
        let channel = Arc::new(TestChannel {
            server: server.clone(),
            exchanges: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            on_request: Mutex::new(None),
            on_response: Mutex::new(None),
        });
        let store = Arc::new(FlakyStore::default());
        let device = Device::new(store.clone(), channel.clone(), device_config());
        Lab {
            shares,
            pool,
            server,
            channel,
            store,
            device,
            kek,
        }
    }

    /// The device as after an app restart: same store and channel, nothing in memory.
    pub fn restarted_device(&self) -> Device {
        Device::new(self.store.clone(), self.channel.clone(), device_config())
    }

    pub fn keygen(&self, id: &str, curve: CurveId) -> KeyId {
        let id = KeyId::new(id).unwrap();
        self.device.generate(&id, curve, PIN).unwrap();
        id
    }
}

pub fn digest(curve: CurveId, seed: u8) -> Vec<u8> {
    (0..curve.digest_len())
        .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
        .collect()
}
