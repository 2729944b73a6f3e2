//! The exported errors. `fkn_core::Error` crosses as itself, derived in the
//! core (feature `uniffi`) and exported as `FknError` (Kotlin
//! `FknException`, Swift `FknError`): grouped by fault, with typed data.
//! [`TransportError`] is the FFI's own: what a platform's `NfcTransport`
//! throws. (It stays here, beside the foreign trait, because UniFFI's Kotlin
//! generator cannot yet use another component's error in a callback
//! interface.)

pub use fkn_core::Error as FknError;
use fkn_core::error::ApiMisuse;
use fkn_core::transport::TransportError as CoreTransportError;

/// An argument the FFI layer itself refuses (before the core sees it).
pub(crate) fn invalid(detail: impl Into<String>) -> FknError {
    ApiMisuse::InvalidArgument {
        detail: detail.into(),
    }
    .into()
}

/// Why a platform transport could not exchange an APDU. Kotlin and Swift
/// implementations of `NfcTransport` throw it; the SDK reports it as
/// `FknError::Link` (`TagLost` as the `CardRemoved` fault). Any other
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
            TransportError::Io { detail } => CoreTransportError::Io { detail },
        }
    }
}

impl From<CoreTransportError> for TransportError {
    fn from(e: CoreTransportError) -> Self {
        match e {
            CoreTransportError::TagLost => TransportError::TagLost,
            CoreTransportError::Timeout => TransportError::Timeout,
            CoreTransportError::Cancelled => TransportError::Cancelled,
            CoreTransportError::Io { detail } => TransportError::Io { detail },
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
    use fkn_core::error::LinkFault;

    #[test]
    fn a_foreign_transport_error_becomes_the_link_fault() {
        let cases = [
            (TransportError::TagLost, LinkFault::CardRemoved),
            (TransportError::Timeout, LinkFault::Timeout),
            (TransportError::Cancelled, LinkFault::Cancelled),
            (
                TransportError::Io { detail: "x".into() },
                LinkFault::Io { detail: "x".into() },
            ),
        ];
        for (t, fault) in cases {
            let core = CoreTransportError::from(t.clone());
            assert_eq!(TransportError::from(core.clone()), t);
            assert_eq!(t.to_string(), core.to_string());
            assert_eq!(FknError::from(core), FknError::Link { fault });
        }
    }

    #[test]
    fn unexpected_callback_exception_is_a_link_error() {
        let t = TransportError::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "java.lang.IllegalStateException: boom".into(),
        });
        assert_eq!(
            FknError::from(CoreTransportError::from(t)),
            FknError::Link {
                fault: LinkFault::Io {
                    detail: "java.lang.IllegalStateException: boom".into()
                }
            }
        );
    }
}
