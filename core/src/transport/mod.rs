//! The link to a token. The platform supplies it (Android `IsoDep`, iOS
//! `NFCISO7816Tag`, PC/SC); everything above speaks APDUs through it.
//!
//! The trait is deliberately small and uses owned bytes and plain types only, so
//! that Kotlin and Swift can implement it through a UniFFI foreign trait.

/// Why a transceive failed on the link itself (as opposed to a card status word).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The tag left the field or the reader lost the card mid-command.
    #[error("the card was removed or moved away; hold the card still against the phone and retry")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time; hold the card still and retry")]
    Timeout,
    /// The user or the platform cancelled the NFC session.
    #[error("the operation was cancelled")]
    Cancelled,
    /// Any other I/O failure, with the platform's description.
    #[error("card link error: {detail}")]
    Io {
        /// The platform's description of the failure.
        detail: String,
    },
}

/// What kind of link the card is on, for advice that fits it: a card in a
/// field is held still, a card in a reader is seated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkKind {
    /// A contactless field: a phone's NFC, a contactless reader.
    #[default]
    Contactless,
    /// A contact reader (PC/SC) or a card in software.
    Reader,
}

/// Maximum transceive length of a short-APDU link (`4 + 1 + 255 + 1`).
pub const SHORT_APDU_LINK: usize = 261;

/// One APDU exchange with a token.
pub trait Transport: Send {
    /// Sends one complete command APDU and returns the complete response APDU
    /// (data followed by SW1 SW2).
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError>;

    /// Largest command APDU, in bytes, the link accepts in one transceive
    /// (e.g. `IsoDep.getMaxTransceiveLength()`; 261 for a short-APDU link).
    fn max_transceive_length(&self) -> usize;

    /// Whether the link and the card take extended-length APDUs.
    fn extended_length_supported(&self) -> bool;

    /// What kind of link this is, so error advice fits it (hold the card
    /// still, or seat it in the reader). Contactless unless told otherwise.
    fn link_kind(&self) -> LinkKind {
        LinkKind::Contactless
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        (**self).transceive(apdu)
    }
    fn max_transceive_length(&self) -> usize {
        (**self).max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        (**self).extended_length_supported()
    }
    fn link_kind(&self) -> LinkKind {
        (**self).link_kind()
    }
}

pub mod atr;
#[cfg(feature = "pcsc")]
pub mod pcsc;
