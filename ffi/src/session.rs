//! The token session: one-line forwards to `fkn_core::token::TokenSession`
//! over the platform's [`NfcTransport`].

use std::sync::{Arc, Mutex, MutexGuard};

use fkn_core::token::session::TokenSession as CoreSession;
use zeroize::Zeroizing;

use fkn_core::crypto::ec::CurveId;
use fkn_core::token::{KeyInfo, PinRef, SelectInfo, TokenInfo};

use crate::error::{FknError, invalid};
use crate::live::LiveGuard;
use crate::transport::{NfcTransport, TransportBridge};

/// A session with one token: open it when the card is tapped, log in, sign,
/// close it. Every method blocks until the card answered, calling the
/// transport on the caller's thread; call it off the main thread (the Kotlin
/// layer `FknToken` does). Calls on one session are serialized.
///
/// PINs cross the FFI as strings: the Rust copy is wiped after use, but the
/// platform string cannot be (JVM and Swift strings are immutable).
#[derive(uniffi::Object)]
pub struct TokenSession {
    inner: Mutex<CoreSession<TransportBridge>>,
    _live: LiveGuard,
}

impl TokenSession {
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, CoreSession<TransportBridge>>, FknError> {
        // Poisoned only if a previous call panicked mid-command: the session
        // state is unknown, so refuse rather than guess.
        self.inner
            .lock()
            .map_err(|_| invalid("this session failed internally earlier; open a new session"))
    }
}

#[uniffi::export]
impl TokenSession {
    /// Selects the token's OFP1 application over `transport` (one exchange)
    /// and reads what login needs.
    #[uniffi::constructor]
    pub fn open(transport: Arc<dyn NfcTransport>) -> Result<Arc<Self>, FknError> {
        let inner = CoreSession::open(TransportBridge::new(transport))?;
        Ok(Arc::new(TokenSession {
            inner: Mutex::new(inner),
            _live: LiveGuard::new(),
        }))
    }

    /// What SELECT told: serial, label, curves, PIN parameters.
    pub fn select_info(&self) -> Result<SelectInfo, FknError> {
        Ok(self.lock()?.select_info().clone())
    }

    /// APDU exchanges so far on this session (SELECT included).
    pub fn exchanges(&self) -> Result<u64, FknError> {
        Ok(self.lock()?.exchanges())
    }

    /// Which PIN the session is logged in with, if any.
    pub fn authenticated_as(&self) -> Result<Option<PinRef>, FknError> {
        Ok(self.lock()?.authenticated_as())
    }

    /// Logs in with the user PIN (the PIN never crosses the air: SESPAKE),
    /// then encrypts every further command. Throws `WrongPin` with the
    /// attempts left, or `PinBlocked`.
    pub fn authenticate(&self, pin: String) -> Result<(), FknError> {
        let pin = Zeroizing::new(pin);
        self.lock()?.authenticate(&pin)
    }

    /// Logs in with the admin PIN.
    pub fn authenticate_admin(&self, pin: String) -> Result<(), FknError> {
        let pin = Zeroizing::new(pin);
        self.lock()?.authenticate_admin(&pin)
    }

    /// Serial, label, free key slots and PIN attempts (needs a login).
    pub fn token_info(&self) -> Result<TokenInfo, FknError> {
        self.lock()?.token_info()
    }

    /// Every key on the token, in creation order (needs a login).
    pub fn list_keys(&self) -> Result<Vec<KeyInfo>, FknError> {
        self.lock()?.list_keys()
    }

    /// Generates a key pair on the token under `id` (1 to 16 bytes); the
    /// private key never leaves the token. Needs a user login.
    pub fn generate_key(
        &self,
        id: Vec<u8>,
        curve: CurveId,
        label: String,
    ) -> Result<KeyInfo, FknError> {
        self.lock()?.generate_key(&id, curve, &label)
    }

    /// Signs 1 to 16 digests with key `id` in one exchange; each signature is
    /// `s || r` (64 or 128 bytes), in the order of the digests. Digests are
    /// Streebog of the key's size (see `digest_algorithm_for`). Needs a user login.
    pub fn sign(&self, id: Vec<u8>, digests: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, FknError> {
        self.lock()?.sign(&id, &digests)
    }

    /// Stores a certificate (DER) for key `id`. Needs a user login.
    pub fn put_certificate(&self, id: Vec<u8>, der: Vec<u8>) -> Result<(), FknError> {
        self.lock()?.put_certificate(&id, &der)
    }

    /// Reads the certificate (DER) of key `id`; `CertificateNotFound` if none.
    pub fn get_certificate(&self, id: Vec<u8>) -> Result<Vec<u8>, FknError> {
        self.lock()?.get_certificate(&id)
    }

    /// Deletes key `id` and its certificate. Needs a user login.
    pub fn delete_key(&self, id: Vec<u8>) -> Result<(), FknError> {
        self.lock()?.delete_key(&id)
    }

    /// Changes the PIN this session is logged in with.
    pub fn change_pin(&self, new_pin: String) -> Result<(), FknError> {
        let new_pin = Zeroizing::new(new_pin);
        self.lock()?.change_pin(&new_pin)
    }

    /// Sets a new user PIN and unblocks it. Needs an admin login.
    pub fn unblock_pin(&self, new_user_pin: String) -> Result<(), FknError> {
        let new_user_pin = Zeroizing::new(new_user_pin);
        self.lock()?.unblock_pin(&new_user_pin)
    }

    /// `length` random bytes from the token's generator (no login needed).
    pub fn random(&self, length: u8) -> Result<Vec<u8>, FknError> {
        self.lock()?.random(length)
    }
}
