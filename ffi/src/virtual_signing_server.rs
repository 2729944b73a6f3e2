//! The signing server's role in software and in memory, so apps run their
//! two-party flows and tests with no backend (as `VirtualToken` stands in
//! for a card). Development and tests only: everything is lost when it is
//! freed. The backend's real server is `fkn-server`.

use std::sync::Arc;

use fkn_core::crypto::ec::SigningKey;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{MemoryNoncePool, MemoryShareStore, Server, ServerConfig};
use fkn_core::onboarding::{
    EnrollmentRecord, EnrollmentUri, Gateway, GatewayConfig, MemoryPairingStore, PAIRING_CURVE,
    activation_code,
};
use fkn_core::requests::{
    Content, KeyRef, MemoryRequestStore, NewRequest, RequestDesk, RequestStore,
};

use crate::error::FknError;
use crate::live::LiveGuard;
use crate::requests::RequestKeyKind;
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
/// traffic. With `create_enrollment` and `device_channel()` it also plays
/// `fkn-server`'s device endpoint: QR-code enrollment and signed requests.
#[derive(uniffi::Object)]
pub struct VirtualSigningServer {
    inner: Arc<Server>,
    gateway: Gateway,
    pairing: Arc<MemoryPairingStore>,
    desk: Arc<RequestDesk>,
    requests: Arc<MemoryRequestStore>,
    _live: LiveGuard,
}

/// The address put into the virtual server's enrollment codes.
const VIRTUAL_URL: &str = "https://virtual-signing-server.invalid";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
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
        let inner = Arc::new(Server::new(
            Arc::new(MemoryShareStore::new()),
            Arc::new(MemoryNoncePool::new()),
            &kek,
            config,
        ));
        let pairing = Arc::new(MemoryPairingStore::new());
        let identity = SigningKey::generate(PAIRING_CURVE, &mut fkn_core::crypto::os_rng());
        let requests = Arc::new(MemoryRequestStore::new());
        let desk = Arc::new(RequestDesk::new(
            requests.clone(),
            pairing.clone(),
            inner.clone(),
        ));
        let gateway = Gateway::new(
            pairing.clone(),
            inner.clone(),
            identity,
            &kek,
            GatewayConfig::default(),
        )
        .with_requests(desk.clone());
        Arc::new(VirtualSigningServer {
            inner,
            gateway,
            pairing,
            desk,
            requests,
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

    /// Answers one message of the device endpoint (`POST /v1/device`).
    pub fn handle_device(&self, message: Vec<u8>) -> Vec<u8> {
        self.gateway.handle(&message, now()).0
    }

    /// A `ServerChannel` to the device endpoint: enrollment and signed
    /// requests, as with a real `fkn-server`.
    pub fn device_channel(self: Arc<Self>) -> Arc<dyn ServerChannel> {
        Arc::new(DeviceChannel {
            server: self,
            _live: LiveGuard::new(),
        })
    }

    /// A one-time enrollment for `account` valid `ttl_seconds`, as the
    /// operator's QR code would carry it (`fkn://enroll?...`).
    pub fn create_enrollment(&self, account: String, ttl_seconds: u64) -> Result<String, FknError> {
        let code = activation_code();
        let expires = now().saturating_add(ttl_seconds);
        let uri = EnrollmentUri {
            server: VIRTUAL_URL.to_owned(),
            account: account.clone(),
            code: code.to_string(),
            expires,
            server_key_fingerprint: self.gateway.fingerprint(),
        };
        let text = uri.format()?;
        self.pairing
            .add_enrollment(EnrollmentRecord::new(&account, &code, expires));
        Ok(text)
    }

    /// A backend's signing request for `account` (as `fkn-server`'s
    /// `POST /api/v1/requests` makes it): `document` signed with the key
    /// `key_kind`/`key_id` of the account, pending for `ttl_seconds`.
    /// Returns its id.
    #[allow(clippy::too_many_arguments)] // the fields of one request
    pub fn create_request(
        &self,
        account: String,
        title: String,
        document: Vec<u8>,
        key_kind: RequestKeyKind,
        key_id: String,
        detached: bool,
        ttl_seconds: u64,
    ) -> Result<String, FknError> {
        let new = NewRequest {
            account,
            title,
            content: Content::Document(document.into()),
            key: match key_kind {
                RequestKeyKind::Card => KeyRef::Card(key_id),
                RequestKeyKind::TwoParty => KeyRef::Distributed(key_id),
            },
            detached,
            deadline: now().saturating_add(ttl_seconds),
        };
        let created = self
            .desk
            .create("virtual", new, now())
            .map_err(|e| crate::error::invalid(e.to_string()))?;
        Ok(created.id)
    }

    /// The state of request `id` (`pending`, `signed`, `declined`,
    /// `expired`) and, once signed, its CMS.
    pub fn request_result(&self, id: String) -> Result<RequestResult, FknError> {
        let r = self
            .requests
            .get(&id)?
            .ok_or_else(|| crate::error::invalid(format!("no request {id}")))?;
        Ok(RequestResult {
            state: r.state_at(now()).as_str().to_owned(),
            cms: r.cms,
            decline_reason: r.decline_reason,
        })
    }

    /// Revokes a device: its signed requests are refused from now on.
    pub fn revoke_device(&self, device_id: String) {
        self.pairing.revoke_device(&device_id);
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

struct DeviceChannel {
    server: Arc<VirtualSigningServer>,
    _live: LiveGuard,
}

impl ServerChannel for DeviceChannel {
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, ServerChannelError> {
        Ok(self.server.handle_device(request))
    }
}

/// A request's state as the backend sees it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RequestResult {
    /// `pending`, `signed`, `declined` or `expired`.
    pub state: String,
    /// The CMS (DER), once signed.
    pub cms: Option<Vec<u8>>,
    /// Why the user declined, once declined.
    pub decline_reason: Option<String>,
}
