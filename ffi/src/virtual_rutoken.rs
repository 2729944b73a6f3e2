//! The emulated Rutoken ECP (PKI mode) of `fkn-vtoken`, so apps and tests
//! run the Rutoken path of `Card` with no card. Development and tests only.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fkn_vtoken::rutoken::{EmulatedRutoken, RutokenModel, RutokenTransport, USER_PIN_REF};

use crate::live::LiveGuard;
use crate::transport::NfcTransport;
use crate::virtual_token::VirtualTransport;

/// A Rutoken ECP in PKI mode, in software, as it leaves the factory: user
/// PIN `12345678`, admin PIN `87654321`, 10 tries each, no keys. Hand
/// `transport()` to `Card.open`. Its transport is an NFC link like the
/// platform's, so logging in needs `CardOptions.allowClearPinOverNfc`.
#[derive(uniffi::Object)]
pub struct VirtualRutoken {
    card: Arc<Mutex<EmulatedRutoken>>,
    _live: LiveGuard,
}

fn lock(card: &Mutex<EmulatedRutoken>) -> MutexGuard<'_, EmulatedRutoken> {
    // The card never panics while processing; its state stays consistent.
    card.lock().unwrap_or_else(PoisonError::into_inner)
}

#[uniffi::export]
impl VirtualRutoken {
    /// A fresh Rutoken ECP SC NFC with a random serial.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(VirtualRutoken {
            card: Arc::new(Mutex::new(EmulatedRutoken::new(RutokenModel::EcpScNfc))),
            _live: LiveGuard::new(),
        })
    }

    /// A transport to this card in the same process, for `Card.open`.
    pub fn transport(&self) -> Arc<dyn NfcTransport> {
        VirtualTransport::shared(RutokenTransport::shared(Arc::clone(&self.card)))
    }

    /// Processes one command APDU and returns the response APDU.
    pub fn process_apdu(&self, apdu: Vec<u8>) -> Vec<u8> {
        lock(&self.card).process_apdu(&apdu)
    }

    /// Power cycle: ends the login, as taking the card away does.
    pub fn reset(&self) {
        lock(&self.card).reset();
    }

    /// Tries left of the user PIN.
    pub fn user_pin_tries_left(&self) -> u8 {
        lock(&self.card).pin_tries_left(USER_PIN_REF).unwrap_or(0)
    }
}
