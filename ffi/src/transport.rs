//! The NFC transport the platform supplies: a foreign trait Kotlin and Swift
//! implement (Android `IsoDep`, iOS `NFCISO7816Tag`), bridged to the core's
//! [`Transport`] by a newtype.

use std::sync::Arc;

use fkn_core::transport::{Transport, TransportError as CoreTransportError};

use crate::error::TransportError;
use crate::live::LiveGuard;

/// One APDU exchange with a token, implemented by the app's platform layer
/// (the Kotlin `IsoDepTransport`, a Swift `NFCISO7816Tag` wrapper, or a test
/// double) or by the SDK itself (`VirtualToken.transport()`).
///
/// The SDK calls it synchronously from the thread that called the SDK, so
/// call the SDK off the main thread (the Kotlin layer uses
/// `Dispatchers.IO`); an implementation may block. Only `transceive` may
/// throw: an exception from the two capability queries is a bug.
#[uniffi::export(rust, foreign)]
pub trait NfcTransport: Send + Sync {
    /// Sends one complete command APDU and returns the complete response APDU
    /// (data followed by SW1 SW2). Throws `TransportError`: `TagLost` when
    /// the card left the field.
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError>;

    /// Largest command APDU, in bytes, the link accepts in one exchange
    /// (Android `IsoDep.getMaxTransceiveLength()`).
    fn max_transceive_length(&self) -> u32;

    /// Whether the link and the card take extended-length APDUs (Android
    /// `IsoDep.isExtendedLengthApduSupported()`).
    fn extended_length_supported(&self) -> bool;
}

/// The core's view of an [`NfcTransport`].
pub(crate) struct TransportBridge {
    inner: Arc<dyn NfcTransport>,
    _live: LiveGuard,
}

impl TransportBridge {
    pub(crate) fn new(inner: Arc<dyn NfcTransport>) -> Self {
        TransportBridge {
            inner,
            _live: LiveGuard::new(),
        }
    }
}

impl Transport for TransportBridge {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, CoreTransportError> {
        self.inner
            .transceive(apdu)
            .map_err(CoreTransportError::from)
    }

    fn max_transceive_length(&self) -> usize {
        // u32 always fits usize on the 32- and 64-bit targets we build for.
        usize::try_from(self.inner.max_transceive_length()).unwrap_or(usize::MAX)
    }

    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Answers `90 00` to everything and records what it saw.
    struct Echo {
        seen: Mutex<Vec<Vec<u8>>>,
        fail: bool,
    }

    impl NfcTransport for Echo {
        fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
            if self.fail {
                return Err(TransportError::TagLost);
            }
            self.seen
                .lock()
                .map_err(|_| TransportError::Cancelled)?
                .push(apdu);
            Ok(vec![0x90, 0x00])
        }
        fn max_transceive_length(&self) -> u32 {
            261
        }
        fn extended_length_supported(&self) -> bool {
            false
        }
    }

    #[test]
    fn bridge_forwards_bytes_and_capabilities() {
        let echo = Arc::new(Echo {
            seen: Mutex::new(Vec::new()),
            fail: false,
        });
        let mut bridge = TransportBridge::new(echo.clone());
        assert_eq!(bridge.transceive(vec![0, 0xA4, 4, 0]), Ok(vec![0x90, 0]));
        assert_eq!(bridge.max_transceive_length(), 261);
        assert!(!bridge.extended_length_supported());
        assert_eq!(*echo.seen.lock().unwrap(), vec![vec![0, 0xA4, 4, 0]]);
    }

    #[test]
    fn bridge_maps_tag_lost() {
        let mut bridge = TransportBridge::new(Arc::new(Echo {
            seen: Mutex::new(Vec::new()),
            fail: true,
        }));
        assert_eq!(bridge.transceive(vec![0]), Err(CoreTransportError::TagLost));
    }
}
