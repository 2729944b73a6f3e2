//! PINs run through PBKDF2 ahead of the tap, so the card only has to stay in
//! the field for the point arithmetic and four exchanges.

use std::sync::Arc;

use fkn_core::sespake::Profile;
use fkn_core::token::{PasswordInfo, PinRef, PreparedPin as CorePin};
use zeroize::Zeroizing;

use crate::error::{FknError, invalid};
use crate::live::LiveGuard;
use crate::session::TokenSession;

/// A PIN already run through PBKDF2 for one token's salt (the slow part of a
/// login). Make it before the user taps, from the `serial` and
/// `PasswordInfo` of an earlier session's `select_info()`, then log in with
/// `TokenSession.authenticate_prepared`. Holds the derived key, never the
/// PIN; wiped when freed.
#[derive(uniffi::Object)]
pub struct PreparedPin {
    pub(crate) inner: CorePin,
    _live: LiveGuard,
}

impl PreparedPin {
    fn wrap(inner: CorePin) -> Arc<Self> {
        Arc::new(PreparedPin {
            inner,
            _live: LiveGuard::new(),
        })
    }
}

#[uniffi::export]
impl PreparedPin {
    /// Runs PBKDF2 for `pin` with the salt and curve of `password`, for the
    /// token with `serial` (8 bytes).
    #[uniffi::constructor]
    pub fn derive(
        serial: Vec<u8>,
        password: PasswordInfo,
        pin: String,
    ) -> Result<Arc<Self>, FknError> {
        let pin = Zeroizing::new(pin);
        let serial: [u8; 8] = serial
            .try_into()
            .map_err(|s: Vec<u8>| invalid(format!("a token serial is 8 bytes, not {}", s.len())))?;
        Ok(Self::wrap(CorePin::derive(
            &Profile::ofp1(),
            serial,
            &password,
            &pin,
        )))
    }
}

#[uniffi::export]
impl TokenSession {
    /// Runs PBKDF2 for `pin` against this token's salt, for a later
    /// `authenticate_prepared` (e.g. after a card error, without asking again).
    pub fn prepare_pin(
        &self,
        reference: PinRef,
        pin: String,
    ) -> Result<Arc<PreparedPin>, FknError> {
        let pin = Zeroizing::new(pin);
        Ok(PreparedPin::wrap(
            self.lock()?.prepare_pin(reference, &pin)?,
        ))
    }

    /// Logs in with a prepared PIN: two exchanges, no PBKDF2 now. Throws
    /// `InvalidInput` if it was prepared for another token or an older salt.
    pub fn authenticate_prepared(&self, pin: Arc<PreparedPin>) -> Result<(), FknError> {
        self.lock()?.authenticate_prepared(&pin.inner)
    }
}
