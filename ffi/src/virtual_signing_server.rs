//! The signing server's role in software and in memory, so apps run their
//! two-party flows and tests with no backend (as `VirtualToken` stands in
//! for a card). Development and tests only: everything is lost when it is
//! freed. The backend's real server is `fkn-server`.

use std::sync::Arc;

use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{MemoryNoncePool, MemoryShareStore, Server, ServerConfig};

use crate::error::FknError;
use crate::live::LiveGuard;
use crate::two_party;
use crate::two_party_platform::{ServerChannel, ServerChannelError};

/// A key's state on the server, as an operator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TwoPartyKeyStatus {
    /// Share refreshes so far.
    pub epoch: u32,
    /// Wrong PINs since the last correct one.
    pub failures: u32,
    /// Locked after too many wrong PINs (until `unlock`).
    pub locked: bool,
    /// Revoked for good.
    pub revoked: bool,
}

/// An in-memory signing server. Hand `channel()` to `TwoPartyDevice`, or
/// forward a `ServerChannel` of your own to `handle` to watch or disturb the
/// traffic.
#[derive(uniffi::Object)]
pub struct VirtualSigningServer {
    inner: Server,
    _live: LiveGuard,
}

#[uniffi::export]
impl VirtualSigningServer {
    /// A fresh server that locks a key after `max_pin_failures` wrong PINs
    /// in a row, with a random key-encryption key.
    #[uniffi::constructor]
    pub fn new(max_pin_failures: u32) -> Arc<Self> {
        let mut kek = [0u8; 32];
        rand_core::Rng::fill_bytes(&mut fkn_core::crypto::os_rng(), &mut kek);
        let kek = Key256::from_bytes(kek);
        let config = ServerConfig {
            max_pin_failures,
            ..ServerConfig::default()
        };
        Arc::new(VirtualSigningServer {
            inner: Server::new(
                Arc::new(MemoryShareStore::new()),
                Arc::new(MemoryNoncePool::new()),
                &kek,
                config,
            ),
            _live: LiveGuard::new(),
        })
    }

    /// Answers one request (every failure is a refusal inside the answer).
    pub fn handle(&self, request: Vec<u8>) -> Vec<u8> {
        self.inner.handle(&request)
    }

    /// A `ServerChannel` straight to this server.
    pub fn channel(self: Arc<Self>) -> Arc<dyn ServerChannel> {
        Arc::new(DirectChannel {
            server: self,
            _live: LiveGuard::new(),
        })
    }

    /// Clears the wrong-PIN count of a locked key.
    pub fn unlock(&self, key_id: String) -> Result<(), FknError> {
        Ok(self.inner.unlock(&two_party::key_id(&key_id)?)?)
    }

    /// Revokes a key for good.
    pub fn revoke(&self, key_id: String) -> Result<(), FknError> {
        Ok(self.inner.revoke(&two_party::key_id(&key_id)?)?)
    }

    /// The key's state.
    pub fn status(&self, key_id: String) -> Result<TwoPartyKeyStatus, FknError> {
        let s = self.inner.status(&two_party::key_id(&key_id)?)?;
        Ok(TwoPartyKeyStatus {
            epoch: s.epoch,
            failures: s.failures,
            locked: s.locked,
            revoked: s.revoked,
        })
    }
}

struct DirectChannel {
    server: Arc<VirtualSigningServer>,
    _live: LiveGuard,
}

impl ServerChannel for DirectChannel {
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, ServerChannelError> {
        Ok(self.server.handle(request))
    }
}
