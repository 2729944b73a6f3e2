//! The virtual token: an OFP1 token in software, so apps can run their UI
//! and tests with no card. Development and tests only: a file-backed token
//! stores its private keys in plain form.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fkn_core::crypto::ec::CurveId;
use fkn_core::transport::Transport;
use fkn_vtoken::{TokenState, VirtualToken as CoreToken, VirtualTokenError, VirtualTokenTransport};

use crate::error::{FknError, TransportError, invalid};
use crate::live::LiveGuard;
use crate::transport::NfcTransport;

/// Curve of the PIN exchange of tokens made here (the one OFP1's worked
/// example uses).
const PASSWORD_CURVE: CurveId = CurveId::Tc26_256A;

/// An OFP1 token in software, so apps run their UI and tests with no card.
/// Hand `transport()` to `TokenSession.open`, or forward a transport of your
/// own to `process_apdu` to watch or disturb the traffic.
#[derive(uniffi::Object)]
pub struct VirtualToken {
    token: Arc<Mutex<CoreToken>>,
    _live: LiveGuard,
}

fn lock(token: &Mutex<CoreToken>) -> MutexGuard<'_, CoreToken> {
    // The token never panics while processing, so its state stays
    // consistent even if a caller's thread panicked holding the lock.
    token.lock().unwrap_or_else(PoisonError::into_inner)
}

fn storage(e: VirtualTokenError) -> FknError {
    match e {
        VirtualTokenError::InvalidState(detail) => invalid(detail),
        other => FknError::Storage {
            detail: other.to_string(),
        },
    }
}

fn random_serial() -> [u8; 8] {
    let mut serial = [0u8; 8];
    rand_core::Rng::fill_bytes(&mut fkn_core::crypto::os_rng(), &mut serial);
    serial
}

impl VirtualToken {
    fn wrap(token: CoreToken) -> Arc<Self> {
        Arc::new(VirtualToken {
            token: Arc::new(Mutex::new(token)),
            _live: LiveGuard::new(),
        })
    }
}

#[uniffi::export]
impl VirtualToken {
    /// A fresh token in memory with a random serial, no keys, and the given
    /// label (at most 32 bytes) and PINs. Runs PBKDF2 for both PINs, so it
    /// takes a moment.
    #[uniffi::constructor]
    pub fn new(label: String, user_pin: String, admin_pin: String) -> Result<Arc<Self>, FknError> {
        let (user_pin, admin_pin) = (
            zeroize::Zeroizing::new(user_pin),
            zeroize::Zeroizing::new(admin_pin),
        );
        let state = TokenState::with_pins(
            random_serial(),
            &label,
            &user_pin,
            &admin_pin,
            PASSWORD_CURVE,
            &mut fkn_vtoken::OsRandom,
        )
        .map_err(storage)?;
        Ok(Self::wrap(CoreToken::new(state)))
    }

    /// Like `new`, and saved to a new file at `path`, which every later
    /// change updates. Refuses to overwrite an existing file.
    #[uniffi::constructor]
    pub fn create(
        path: String,
        label: String,
        user_pin: String,
        admin_pin: String,
    ) -> Result<Arc<Self>, FknError> {
        let (user_pin, admin_pin) = (
            zeroize::Zeroizing::new(user_pin),
            zeroize::Zeroizing::new(admin_pin),
        );
        let token = CoreToken::create_with_pins(
            &path,
            random_serial(),
            &label,
            &user_pin,
            &admin_pin,
            PASSWORD_CURVE,
        )
        .map_err(storage)?;
        Ok(Self::wrap(token))
    }

    /// Opens the token saved at `path`.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, FknError> {
        Ok(Self::wrap(CoreToken::open(&path).map_err(storage)?))
    }

    /// Processes one command APDU and returns the response APDU (data, then
    /// SW1 SW2), as the card would. Never fails: errors are status words.
    pub fn process_apdu(&self, apdu: Vec<u8>) -> Vec<u8> {
        lock(&self.token).process_apdu(&apdu)
    }

    /// The token's Answer-To-Reset.
    pub fn atr(&self) -> Vec<u8> {
        lock(&self.token).atr()
    }

    /// Power cycle, as taking the card away and presenting it again: ends any
    /// login and pending command chain.
    pub fn reset(&self) {
        lock(&self.token).reset();
    }

    /// The 8-byte serial number.
    pub fn serial(&self) -> Vec<u8> {
        lock(&self.token).state().serial().to_vec()
    }

    /// A transport to this token in the same process, for `TokenSession.open`.
    /// It reports the link the token is configured for (short APDUs, 261 bytes).
    pub fn transport(&self) -> Arc<dyn NfcTransport> {
        VirtualTransport::shared(VirtualTokenTransport::shared(Arc::clone(&self.token)))
    }
}

/// [`NfcTransport`] implemented in Rust over a card in software (the OFP1
/// virtual token, the emulated Rutoken).
pub(crate) struct VirtualTransport<T: Transport> {
    inner: Mutex<T>,
    _live: LiveGuard,
}

impl<T: Transport + 'static> VirtualTransport<T> {
    pub(crate) fn shared(inner: T) -> Arc<dyn NfcTransport> {
        Arc::new(VirtualTransport {
            inner: Mutex::new(inner),
            _live: LiveGuard::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, T> {
        // Holds no state a panic could leave half-changed.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T: Transport + 'static> NfcTransport for VirtualTransport<T> {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        Ok(self.lock().transceive(apdu)?)
    }

    fn max_transceive_length(&self) -> u32 {
        u32::try_from(self.lock().max_transceive_length()).unwrap_or(u32::MAX)
    }

    fn extended_length_supported(&self) -> bool {
        self.lock().extended_length_supported()
    }
}
