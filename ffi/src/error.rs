//! The exported errors: [`FknError`] mirrors `fkn_core::Error` variant for
//! variant, and [`TransportError`] is what a platform transport throws.
//!
//! UniFFI names them `FknException` / `TransportException` in Kotlin (it
//! renames `…Error` to `…Exception`) and keeps the names in Swift.

use fkn_core::Error as CoreError;
use fkn_core::transport::TransportError as CoreTransportError;

/// Why an SDK call failed. One variant per `fkn_core::Error` variant, with the
/// same name and (through `Display`: Kotlin `toString()`, Swift
/// `description`) the same message, which says what to do next.
///
/// Text fields are called `detail` because Kotlin exceptions reserve `message`.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error)]
#[uniffi::export(Display)]
pub enum FknError {
    /// The card left the field (or the reader lost it) mid-command.
    CardRemoved,
    /// The card did not answer in time.
    Timeout,
    /// The user or the platform cancelled the operation.
    Cancelled,
    /// Another failure of the link to the card.
    Link {
        /// The platform's description of the failure.
        detail: String,
    },
    /// The PIN was wrong.
    WrongPin {
        /// Attempts left before the PIN is blocked.
        attempts_left: u8,
    },
    /// The PIN is blocked; the admin PIN can unblock it.
    PinBlocked,
    /// The operation needs a login with the right PIN first.
    NotAuthenticated,
    /// Secure messaging failed; the session is closed, log in again.
    SecureChannelBroken,
    /// The token did not prove knowledge of the PIN verifier: it may be
    /// counterfeit or faulty.
    TokenNotAuthentic,
    /// No key with that id.
    KeyNotFound,
    /// The key has no certificate stored.
    CertificateNotFound,
    /// A key with that id exists already.
    KeyIdExists,
    /// No free key slot, or no room for the certificate.
    TokenFull,
    /// The caller passed something the operation cannot take.
    InvalidInput {
        /// What was wrong with the input.
        detail: String,
    },
    /// The card answered with a status word the SDK does not map more precisely.
    Card {
        /// `SW1 SW2`.
        sw: u16,
        /// What the status word means.
        detail: String,
    },
    /// The card's answer broke the protocol.
    Protocol {
        /// What was malformed.
        detail: String,
    },
    /// A cryptographic check failed.
    Crypto {
        /// Which check.
        detail: String,
    },
    /// Reading or writing local storage (a virtual token file) failed.
    Storage {
        /// The underlying failure.
        detail: String,
    },
    /// An error of a newer `fkn-core` that this version of the bindings does
    /// not know yet (`fkn_core::Error` is non-exhaustive); `detail` is its
    /// message.
    Unexpected {
        /// The core's message.
        detail: String,
    },
}

impl From<CoreError> for FknError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::CardRemoved => FknError::CardRemoved,
            CoreError::Timeout => FknError::Timeout,
            CoreError::Cancelled => FknError::Cancelled,
            CoreError::Link(detail) => FknError::Link { detail },
            CoreError::WrongPin { attempts_left } => FknError::WrongPin { attempts_left },
            CoreError::PinBlocked => FknError::PinBlocked,
            CoreError::NotAuthenticated => FknError::NotAuthenticated,
            CoreError::SecureChannelBroken => FknError::SecureChannelBroken,
            CoreError::TokenNotAuthentic => FknError::TokenNotAuthentic,
            CoreError::KeyNotFound => FknError::KeyNotFound,
            CoreError::CertificateNotFound => FknError::CertificateNotFound,
            CoreError::KeyIdExists => FknError::KeyIdExists,
            CoreError::TokenFull => FknError::TokenFull,
            CoreError::InvalidInput(detail) => FknError::InvalidInput { detail },
            CoreError::Card { sw, message } => FknError::Card {
                sw,
                detail: message,
            },
            CoreError::Protocol(detail) => FknError::Protocol { detail },
            CoreError::Crypto(detail) => FknError::Crypto { detail },
            CoreError::Storage(detail) => FknError::Storage { detail },
            // A variant added to the core after this mapping was written; the
            // `every_core_variant_maps` test lists the variants known here.
            other => FknError::Unexpected {
                detail: other.to_string(),
            },
        }
    }
}

impl FknError {
    /// The core error this one mirrors (`None` for [`FknError::Unexpected`]).
    pub fn to_core(&self) -> Option<CoreError> {
        Some(match self.clone() {
            FknError::CardRemoved => CoreError::CardRemoved,
            FknError::Timeout => CoreError::Timeout,
            FknError::Cancelled => CoreError::Cancelled,
            FknError::Link { detail } => CoreError::Link(detail),
            FknError::WrongPin { attempts_left } => CoreError::WrongPin { attempts_left },
            FknError::PinBlocked => CoreError::PinBlocked,
            FknError::NotAuthenticated => CoreError::NotAuthenticated,
            FknError::SecureChannelBroken => CoreError::SecureChannelBroken,
            FknError::TokenNotAuthentic => CoreError::TokenNotAuthentic,
            FknError::KeyNotFound => CoreError::KeyNotFound,
            FknError::CertificateNotFound => CoreError::CertificateNotFound,
            FknError::KeyIdExists => CoreError::KeyIdExists,
            FknError::TokenFull => CoreError::TokenFull,
            FknError::InvalidInput { detail } => CoreError::InvalidInput(detail),
            FknError::Card { sw, detail } => CoreError::Card {
                sw,
                message: detail,
            },
            FknError::Protocol { detail } => CoreError::Protocol(detail),
            FknError::Crypto { detail } => CoreError::Crypto(detail),
            FknError::Storage { detail } => CoreError::Storage(detail),
            FknError::Unexpected { .. } => return None,
        })
    }
}

// The message is the core's, by construction, so the two cannot drift apart.
impl std::fmt::Display for FknError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_core() {
            Some(core) => core.fmt(f),
            None => match self {
                FknError::Unexpected { detail } => f.write_str(detail),
                _ => Ok(()),
            },
        }
    }
}

impl std::error::Error for FknError {}

/// Why a platform transport could not exchange an APDU. Kotlin and Swift
/// implementations of `NfcTransport` throw it; the SDK turns it into the
/// matching `FknError` (`TagLost` becomes `CardRemoved`). Any other
/// exception a transport throws arrives as `Io` with its description.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error)]
#[uniffi::export(Display)]
pub enum TransportError {
    /// The tag left the field (Android `TagLostException`, iOS tag not connected).
    TagLost,
    /// The card did not answer in time.
    Timeout,
    /// The user or the platform cancelled the NFC session.
    Cancelled,
    /// Any other I/O failure.
    Io {
        /// The platform's description of the failure.
        detail: String,
    },
}

impl From<TransportError> for CoreTransportError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::TagLost => CoreTransportError::TagLost,
            TransportError::Timeout => CoreTransportError::Timeout,
            TransportError::Cancelled => CoreTransportError::Cancelled,
            TransportError::Io { detail } => CoreTransportError::Io(detail),
        }
    }
}

impl From<CoreTransportError> for TransportError {
    fn from(e: CoreTransportError) -> Self {
        match e {
            CoreTransportError::TagLost => TransportError::TagLost,
            CoreTransportError::Timeout => TransportError::Timeout,
            CoreTransportError::Cancelled => TransportError::Cancelled,
            CoreTransportError::Io(detail) => TransportError::Io { detail },
            other => TransportError::Io {
                detail: other.to_string(),
            },
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        CoreTransportError::from(self.clone()).fmt(f)
    }
}

impl std::error::Error for TransportError {}

// A foreign transport that throws something other than `TransportException`
// (a bug, or an exception the adapter did not map) still ends the call
// cleanly, as a link error carrying the exception's description.
impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportError::Io { detail: e.reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant of `fkn_core::Error` known to this crate, with payloads.
    fn core_variants() -> Vec<CoreError> {
        vec![
            CoreError::CardRemoved,
            CoreError::Timeout,
            CoreError::Cancelled,
            CoreError::Link("nfc off".into()),
            CoreError::WrongPin { attempts_left: 3 },
            CoreError::PinBlocked,
            CoreError::NotAuthenticated,
            CoreError::SecureChannelBroken,
            CoreError::TokenNotAuthentic,
            CoreError::KeyNotFound,
            CoreError::CertificateNotFound,
            CoreError::KeyIdExists,
            CoreError::TokenFull,
            CoreError::InvalidInput("empty id".into()),
            CoreError::Card {
                sw: 0x6F00,
                message: "internal error".into(),
            },
            CoreError::Protocol("bad TLV".into()),
            CoreError::Crypto("point not on curve".into()),
            CoreError::Storage("disk full".into()),
        ]
    }

    fn variant_name(debug: &str) -> &str {
        debug.split([' ', '(', '{']).next().unwrap_or(debug)
    }

    #[test]
    fn every_core_variant_maps_one_to_one() {
        let variants = core_variants();
        let mut names = std::collections::BTreeSet::new();
        for core in &variants {
            let ffi = FknError::from(core.clone());
            assert!(
                !matches!(ffi, FknError::Unexpected { .. }),
                "{core:?} fell through to Unexpected"
            );
            // Same variant name, same payload (round trip), same message.
            assert_eq!(
                variant_name(&format!("{core:?}")),
                variant_name(&format!("{ffi:?}"))
            );
            assert_eq!(ffi.to_core().as_ref(), Some(core));
            assert_eq!(ffi.to_string(), core.to_string());
            names.insert(variant_name(&format!("{ffi:?}")).to_owned());
        }
        // Distinct core variants land on distinct FFI variants.
        assert_eq!(names.len(), variants.len());
    }

    #[test]
    fn wrong_pin_keeps_attempts_and_message() {
        let e = FknError::from(CoreError::WrongPin { attempts_left: 2 });
        assert_eq!(e, FknError::WrongPin { attempts_left: 2 });
        assert!(e.to_string().contains('2'), "{e}");
    }

    #[test]
    fn transport_errors_reach_the_core_errors() {
        let cases = [
            (TransportError::TagLost, CoreError::CardRemoved),
            (TransportError::Timeout, CoreError::Timeout),
            (TransportError::Cancelled, CoreError::Cancelled),
            (
                TransportError::Io { detail: "x".into() },
                CoreError::Link("x".into()),
            ),
        ];
        for (t, expected) in cases {
            let core = CoreError::from(CoreTransportError::from(t.clone()));
            assert_eq!(core, expected);
            assert_eq!(TransportError::from(CoreTransportError::from(t.clone())), t);
            assert_eq!(
                t.to_string(),
                CoreTransportError::from(t.clone()).to_string()
            );
        }
    }

    #[test]
    fn unexpected_callback_exception_is_a_link_error() {
        let t = TransportError::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "java.lang.IllegalStateException: boom".into(),
        });
        assert_eq!(
            CoreError::from(CoreTransportError::from(t)),
            CoreError::Link("java.lang.IllegalStateException: boom".into())
        );
    }
}
