//! The one error type a user of the SDK sees. Flat on purpose: every variant is
//! a situation an app must tell apart (and the FFI maps it one-to-one), and each
//! message says what to do next.

use crate::transport::TransportError;

/// Everything that can go wrong in a token operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The card left the field (or the reader lost it) mid-command.
    #[error("the card was removed or moved; hold the card still against the phone and retry")]
    CardRemoved,
    /// The card did not answer in time.
    #[error("the card did not answer in time; hold the card still and retry")]
    Timeout,
    /// The user or the platform cancelled the operation.
    #[error("the operation was cancelled")]
    Cancelled,
    /// Another failure of the link to the card.
    #[error("communication with the card failed ({0}); retry, and check the reader if it persists")]
    Link(String),
    /// The PIN was wrong; the token says how many attempts are left.
    #[error("wrong PIN, {attempts_left} attempt(s) left")]
    WrongPin {
        /// Attempts left before the PIN is blocked.
        attempts_left: u8,
    },
    /// The PIN is blocked.
    #[error("the PIN is blocked; ask your administrator to unblock it with the admin PIN")]
    PinBlocked,
    /// The operation needs a PIN session of another kind (or none was opened).
    #[error("this operation needs you to log in with the right PIN first")]
    NotAuthenticated,
    /// Secure messaging failed: a response did not verify or the token rejected
    /// ours. The session is closed; nothing was half-done on the token.
    #[error("the secure channel to the card was broken; hold the card still and log in again")]
    SecureChannelBroken,
    /// The token did not prove knowledge of the PIN verifier (SESPAKE MAC_B or a
    /// point check failed): it may not be the token you think it is.
    #[error("the token could not be authenticated; it may be counterfeit or faulty")]
    TokenNotAuthentic,
    /// No key with that id.
    #[error("no key with this id on the token")]
    KeyNotFound,
    /// The key has no certificate stored.
    #[error("no certificate is stored for this key")]
    CertificateNotFound,
    /// A key with that id exists already.
    #[error("a key with this id already exists; choose another id or delete the old key")]
    KeyIdExists,
    /// No free key slot (or no room for the certificate).
    #[error("the token is full; delete a key or certificate first")]
    TokenFull,
    /// The caller passed something the operation cannot take.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The card answered with a status word this SDK does not map more precisely.
    #[error("the card refused the command: {message} (SW {sw:04X})")]
    Card {
        /// `SW1 SW2`.
        sw: u16,
        /// What the status word means.
        message: String,
    },
    /// The card's answer broke the protocol (malformed data, wrong lengths).
    #[error("the card sent an unexpected answer ({0}); retry, and report it if it persists")]
    Protocol(String),
    /// A cryptographic check failed (bad point, bad signature, bad key).
    #[error("cryptographic check failed: {0}")]
    Crypto(String),
    /// Reading or writing local storage (a virtual token file) failed.
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::TagLost => Error::CardRemoved,
            TransportError::Timeout => Error::Timeout,
            TransportError::Cancelled => Error::Cancelled,
            TransportError::Io(msg) => Error::Link(msg),
        }
    }
}

impl From<crate::apdu::tlv::TlvError> for Error {
    fn from(e: crate::apdu::tlv::TlvError) -> Self {
        Error::Protocol(e.to_string())
    }
}

impl From<crate::crypto::ec::EcError> for Error {
    fn from(e: crate::crypto::ec::EcError) -> Self {
        Error::Crypto(e.to_string())
    }
}

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
