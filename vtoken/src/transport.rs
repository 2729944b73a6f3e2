//! [`VirtualTokenTransport`]: the virtual token as a [`Transport`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::VirtualToken;
use fkn_core::transport::{LinkKind, Transport, TransportError};

/// Largest extended command APDU: header, 3-byte Lc, 65535 data bytes, 2-byte Le.
pub const EXTENDED_APDU_LINK: usize = 4 + 3 + 65_535 + 2;

/// A [`Transport`] to a [`VirtualToken`] in the same process, shared through
/// `Arc<Mutex<_>>` so that tests keep a handle on the token (to inspect its
/// state, reset it, or serve it to several transports).
///
/// By default it reports what the token's configuration says: extended
/// length on or off, and a maximum transceive length of 261 bytes (short)
/// or [`EXTENDED_APDU_LINK`]. A command longer than the maximum fails with
/// [`TransportError::Io`], as an NFC stack would refuse it.
#[derive(Clone, Debug)]
pub struct VirtualTokenTransport {
    token: Arc<Mutex<VirtualToken>>,
    max_transceive: usize,
    extended: bool,
}

fn lock(token: &Mutex<VirtualToken>) -> MutexGuard<'_, VirtualToken> {
    // The token never panics while processing; a poisoned lock can only come
    // from a test thread, and the token's state is still consistent.
    token.lock().unwrap_or_else(PoisonError::into_inner)
}

impl VirtualTokenTransport {
    /// A transport owning `token` (reach it again with [`Self::token`]).
    pub fn new(token: VirtualToken) -> Self {
        Self::shared(Arc::new(Mutex::new(token)))
    }

    /// A transport to a token shared with the caller.
    pub fn shared(token: Arc<Mutex<VirtualToken>>) -> Self {
        let extended = lock(&token).state().config().extended_length;
        VirtualTokenTransport {
            token,
            max_transceive: if extended {
                EXTENDED_APDU_LINK
            } else {
                fkn_core::transport::SHORT_APDU_LINK
            },
            extended,
        }
    }

    /// Sets the reported maximum transceive length (e.g. a small NFC frame
    /// to force command chaining).
    pub fn with_max_transceive_length(mut self, max: usize) -> Self {
        self.max_transceive = max;
        self
    }

    /// Sets whether the link reports extended length, whatever the token
    /// supports (to test hosts against mismatched reports).
    pub fn with_extended_length(mut self, supported: bool) -> Self {
        self.extended = supported;
        self
    }

    /// The shared token.
    pub fn token(&self) -> Arc<Mutex<VirtualToken>> {
        Arc::clone(&self.token)
    }

    /// Power-cycles the token ([`VirtualToken::reset`]), as presenting the
    /// card again does.
    pub fn reset_card(&self) {
        lock(&self.token).reset();
    }
}

impl Transport for VirtualTokenTransport {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        if apdu.len() > self.max_transceive {
            return Err(TransportError::Io {
                detail: format!(
                    "command APDU of {} bytes exceeds the link's maximum of {}",
                    apdu.len(),
                    self.max_transceive
                ),
            });
        }
        Ok(lock(&self.token).process_apdu(&apdu))
    }
    fn max_transceive_length(&self) -> usize {
        self.max_transceive
    }
    fn extended_length_supported(&self) -> bool {
        self.extended
    }
    /// A card in software sits in its "reader" for good: no advice to hold
    /// it still.
    fn link_kind(&self) -> LinkKind {
        LinkKind::Reader
    }
}
