//! Two-party failures as the SDK's one error ([`crate::Error`]): a wrong PIN
//! is a wrong PIN whether a card or the signing server counted it, local
//! storage is storage, a bad argument is misuse; what is left is
//! [`TwoPartyFault`], the signing server and the key's life on it.

use super::error::{AccessRefusal, ChannelError, DistributedError, Encoding, Refusal, StoreError};
use crate::error::{ApiMisuse, Error};

/// What went wrong with a two-party key that is neither a PIN, local storage
/// nor a bad argument.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum TwoPartyFault {
    /// The signing server could not be reached.
    ServerUnreachable,
    /// The signing server did not answer in time (it may have acted; a retry
    /// is safe).
    ServerTimeout,
    /// The server's HTTP layer answered with a non-success status.
    ServerHttpStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The signing server is temporarily unavailable.
    ServerUnavailable,
    /// The server and this app speak different protocol versions.
    UpdateRequired,
    /// The server does not know the key.
    UnknownToServer,
    /// The key was revoked on the server.
    Revoked,
    /// The device's copy of the key is older than the server's (restored
    /// from a backup after a share refresh).
    StaleShare,
    /// The platform key store can no longer unwrap the key record.
    KeystoreInvalidated,
    /// The device has no key under this id.
    KeyNotFound,
    /// The device already has a key under this id.
    KeyExists,
    /// The key changed (PIN change, refresh) since it was unlocked.
    KeyChanged,
    /// The server refused the request for another reason.
    Refused {
        /// The refusal as the server gave it.
        detail: String,
    },
    /// The server broke the protocol: a proof, signature or answer that does
    /// not check. Nothing was signed.
    ServerMisbehaved {
        /// What did not check.
        detail: String,
    },
    /// The text scanned is not a valid enrollment code (not `fkn://enroll?`,
    /// a field missing or invalid).
    EnrollmentCodeInvalid {
        /// What is wrong with it (never the activation code).
        detail: String,
    },
    /// The enrollment's QR code is past its expiry.
    EnrollmentExpired,
    /// The enrollment was already used (a code works once).
    EnrollmentUsed,
    /// The server has no pending enrollment for this account.
    NoEnrollment,
    /// The activation code did not match; the server counted the attempt.
    ActivationCodeRejected {
        /// Attempts left before the enrollment locks.
        attempts_left: u8,
    },
    /// Too many wrong activation codes: the enrollment is locked for good.
    EnrollmentLocked,
    /// The server's identity key does not match the fingerprint in the QR
    /// code: not the server the operator meant.
    ServerIdentityMismatch,
    /// This device is not enrolled with a server (no device credential).
    NotEnrolled,
    /// The server refused the device's credential.
    AccessRefused {
        /// Why.
        detail: String,
        /// The device was revoked (enroll again) rather than a transient refusal.
        revoked: bool,
    },
}

impl TwoPartyFault {
    pub(crate) fn describe(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::ServerUnreachable => f.write_str("the signing server is unreachable"),
            Self::ServerTimeout => f.write_str("the signing server did not answer in time"),
            Self::ServerHttpStatus { status } => {
                write!(f, "the signing server answered HTTP {status}")
            }
            Self::ServerUnavailable => f.write_str("the signing server is temporarily unavailable"),
            Self::UpdateRequired => {
                f.write_str("the signing server speaks another protocol version than this app")
            }
            Self::UnknownToServer => f.write_str("the signing server does not know this key"),
            Self::Revoked => f.write_str("this key was revoked and can never sign again"),
            Self::StaleShare => f.write_str(
                "this device holds an old copy of the key (restored from a backup after a refresh)",
            ),
            Self::KeystoreInvalidated => {
                f.write_str("the platform key store can no longer unwrap this key")
            }
            Self::KeyNotFound => f.write_str("no two-party key with this id on this device"),
            Self::KeyExists => f.write_str("this device already has a key with this id"),
            Self::KeyChanged => f.write_str("the key was changed since it was unlocked"),
            Self::Refused { detail } => {
                write!(f, "the signing server refused the request ({detail})")
            }
            Self::ServerMisbehaved { detail } => write!(
                f,
                "the signing server broke the protocol ({detail}) and nothing was signed"
            ),
            Self::EnrollmentCodeInvalid { detail } => {
                write!(f, "this is not a valid enrollment code ({detail})")
            }
            Self::EnrollmentExpired => f.write_str("this enrollment QR code has expired"),
            Self::EnrollmentUsed => f.write_str("this enrollment QR code was already used"),
            Self::NoEnrollment => {
                f.write_str("the server has no pending enrollment for this account")
            }
            Self::ActivationCodeRejected { attempts_left } => write!(
                f,
                "the server did not accept the activation code, {attempts_left} attempt(s) left"
            ),
            Self::EnrollmentLocked => {
                f.write_str("this enrollment is locked after too many wrong activation codes")
            }
            Self::ServerIdentityMismatch => f.write_str(
                "the server could not prove the identity the QR code names (wrong server key)",
            ),
            Self::NotEnrolled => f.write_str("this device is not enrolled with a signing server"),
            Self::AccessRefused { detail, .. } => {
                write!(f, "the signing server refused this device ({detail})")
            }
        }
    }

    pub(crate) fn action(&self) -> &'static str {
        match self {
            Self::ServerUnreachable => "check the network connection and retry",
            Self::ServerTimeout | Self::ServerUnavailable => "retry in a moment",
            Self::ServerHttpStatus { .. } | Self::Refused { .. } => {
                "retry later, and report it if it persists"
            }
            Self::UpdateRequired => "update the app",
            Self::UnknownToServer
            | Self::Revoked
            | Self::StaleShare
            | Self::KeystoreInvalidated => "enroll this device again",
            Self::KeyNotFound => "enroll or generate the key first",
            Self::KeyExists => "choose another id or delete the old key",
            Self::KeyChanged => "enter the PIN again",
            Self::ServerMisbehaved { .. } | Self::ServerIdentityMismatch => {
                "do not use this server, and report it"
            }
            Self::EnrollmentExpired
            | Self::EnrollmentUsed
            | Self::NoEnrollment
            | Self::EnrollmentLocked => "ask the operator for a new enrollment QR code",
            Self::ActivationCodeRejected { .. } | Self::EnrollmentCodeInvalid { .. } => {
                "scan the QR code again, or check the code you typed"
            }
            Self::NotEnrolled => "enroll this device first",
            Self::AccessRefused { revoked: true, .. } => "enroll this device again",
            Self::AccessRefused { .. } => "check the device clock and retry",
        }
    }

    /// One of each, for the error catalogue.
    pub(crate) fn catalogue() -> Vec<TwoPartyFault> {
        vec![
            Self::ServerUnreachable,
            Self::ServerTimeout,
            Self::ServerHttpStatus { status: 502 },
            Self::ServerUnavailable,
            Self::UpdateRequired,
            Self::UnknownToServer,
            Self::Revoked,
            Self::StaleShare,
            Self::KeystoreInvalidated,
            Self::KeyNotFound,
            Self::KeyExists,
            Self::KeyChanged,
            Self::Refused {
                detail: refusal_what(Refusal::PoolFull),
            },
            Self::ServerMisbehaved {
                detail: "its signature does not verify".into(),
            },
            Self::EnrollmentCodeInvalid {
                detail: "the activation code (c) is invalid".into(),
            },
            Self::EnrollmentExpired,
            Self::EnrollmentUsed,
            Self::NoEnrollment,
            Self::ActivationCodeRejected { attempts_left: 3 },
            Self::EnrollmentLocked,
            Self::ServerIdentityMismatch,
            Self::NotEnrolled,
            Self::AccessRefused {
                detail: AccessRefusal::DeviceRevoked.to_string(),
                revoked: true,
            },
            Self::AccessRefused {
                detail: AccessRefusal::Replayed.to_string(),
                revoked: false,
            },
        ]
    }
}

impl From<crate::onboarding::UriError> for Error {
    fn from(e: crate::onboarding::UriError) -> Self {
        use crate::onboarding::UriError as U;
        match e {
            U::Expired { .. } => TwoPartyFault::EnrollmentExpired,
            U::UnknownVersion { .. } => TwoPartyFault::UpdateRequired,
            U::NotEnrollment => TwoPartyFault::EnrollmentCodeInvalid {
                detail: "it does not start with fkn://enroll?".into(),
            },
            U::Missing(f) => TwoPartyFault::EnrollmentCodeInvalid {
                detail: format!("the {f} is missing"),
            },
            U::Duplicate(f) => TwoPartyFault::EnrollmentCodeInvalid {
                detail: format!("the {f} appears twice"),
            },
            U::Invalid(f) => TwoPartyFault::EnrollmentCodeInvalid {
                detail: format!("the {f} is invalid"),
            },
        }
        .into()
    }
}

impl From<AccessRefusal> for TwoPartyFault {
    fn from(r: AccessRefusal) -> Self {
        // Key ids are one namespace on the server: another device's key
        // under this id is, for this device, an id already taken.
        if r == AccessRefusal::NotYourKey {
            return TwoPartyFault::KeyExists;
        }
        TwoPartyFault::AccessRefused {
            detail: r.to_string(),
            revoked: matches!(
                r,
                AccessRefusal::DeviceRevoked | AccessRefusal::UnknownDevice
            ),
        }
    }
}

impl From<TwoPartyFault> for Error {
    fn from(fault: TwoPartyFault) -> Self {
        Error::TwoParty { fault }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::PinRejected { remaining } => Error::WrongPin {
                attempts_left: u8::try_from(remaining).unwrap_or(u8::MAX),
            },
            Refusal::KeyLocked => Error::PinBlocked,
            Refusal::KeyRevoked => TwoPartyFault::Revoked.into(),
            Refusal::UnknownKey => TwoPartyFault::UnknownToServer.into(),
            Refusal::StaleShare { .. } => TwoPartyFault::StaleShare.into(),
            Refusal::Unavailable => TwoPartyFault::ServerUnavailable.into(),
            Refusal::UnsupportedVersion { .. } => TwoPartyFault::UpdateRequired.into(),
            other => TwoPartyFault::Refused {
                detail: refusal_what(other),
            }
            .into(),
        }
    }
}

/// A refusal in a few words, without the advice its own message carries
/// (the SDK's message adds one piece of advice at the end).
fn refusal_what(r: Refusal) -> String {
    match r {
        Refusal::UnknownKey => "unknown key",
        Refusal::KeyExists => "a key with this id exists on the server",
        Refusal::KeyLocked => "key locked",
        Refusal::KeyRevoked => "key revoked",
        Refusal::PinRejected { .. } => "wrong PIN",
        Refusal::NonceUnknown => "unknown server nonce commitment",
        Refusal::NonceUsed => "server nonce commitment already used",
        Refusal::StaleShare { .. } => "stale device share",
        Refusal::NoKeygenInProgress => "no key generation in progress",
        Refusal::CommitmentMismatch => "commitment and opening differ",
        Refusal::ProofInvalid => "proof of knowledge does not verify",
        Refusal::InvalidRequest => "malformed or invalid request",
        Refusal::UnsupportedVersion { .. } => "unsupported protocol version",
        Refusal::CurveMismatch => "another curve than the key's",
        Refusal::DegenerateNonce => "degenerate nonce",
        Refusal::RefreshUnknown => "no such share refresh",
        Refusal::PoolFull => "nonce commitment pool full",
        Refusal::Unavailable => "storage unavailable",
    }
    .to_owned()
}

impl From<ChannelError> for Error {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::Unreachable => TwoPartyFault::ServerUnreachable,
            ChannelError::Timeout => TwoPartyFault::ServerTimeout,
            ChannelError::HttpStatus(status) => TwoPartyFault::ServerHttpStatus { status },
            ChannelError::Refused { code, arg } => crate::onboarding::refused_fault(code, arg),
            ChannelError::Misbehaved => TwoPartyFault::ServerMisbehaved {
                detail: "an answer that does not authenticate".into(),
            },
        }
        .into()
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::KeystoreInvalidated => TwoPartyFault::KeystoreInvalidated.into(),
            StoreError::Io(kind) => Error::Storage {
                detail: format!("the key store failed ({kind})"),
            },
            StoreError::Unavailable => Error::Storage {
                detail: "the key store is unavailable".into(),
            },
        }
    }
}

/// On the device, the server's answers are what can break the protocol; the
/// device's own record is storage.
impl From<DistributedError> for Error {
    fn from(e: DistributedError) -> Self {
        use DistributedError as D;
        match e {
            D::Refused(r) => r.into(),
            D::Channel(c) => c.into(),
            D::Store(s) => s.into(),
            D::Malformed {
                what: Encoding::DeviceRecord,
                ..
            }
            | D::TrailingBytes {
                what: Encoding::DeviceRecord,
                ..
            }
            | D::UnsupportedVersion {
                what: Encoding::DeviceRecord,
                ..
            } => Error::Storage {
                detail: format!("the key record is unreadable: {e}"),
            },
            D::UnsupportedVersion { .. } => TwoPartyFault::UpdateRequired.into(),
            D::KeyNotFound => TwoPartyFault::KeyNotFound.into(),
            D::KeyExists => TwoPartyFault::KeyExists.into(),
            D::KeyChanged => TwoPartyFault::KeyChanged.into(),
            D::NoNonceCommitments => TwoPartyFault::ServerUnavailable.into(),
            D::EmptyPin => ApiMisuse::EmptyPin.into(),
            D::DigestLength { got, .. } => ApiMisuse::DigestLength {
                len: u32::try_from(got).unwrap_or(u32::MAX),
            }
            .into(),
            D::InvalidKeyId { .. } => ApiMisuse::InvalidArgument {
                detail: e.to_string(),
            }
            .into(),
            // Every other failure is a server answer that does not check.
            other => TwoPartyFault::ServerMisbehaved {
                detail: misbehaviour(&other),
            }
            .into(),
        }
    }
}

/// What a server answer got wrong, in a few words (the full message adds
/// that nothing was signed and what to do).
fn misbehaviour(e: &DistributedError) -> String {
    use DistributedError as D;
    match e {
        D::Malformed { what, .. } => format!("malformed {what}"),
        D::TrailingBytes { what, extra } => format!("{extra} bytes after the end of the {what}"),
        D::UnknownCurve(code) => format!("unknown curve code {code}"),
        D::InvalidPoint { field, source } => format!("invalid {field}: {source}"),
        D::InvalidValue { field } => format!("invalid {field}"),
        D::CurveMismatch { expected, got } => format!("a {got} answer for a {expected} key"),
        D::UnexpectedResponse => "an answer to another request".into(),
        D::ServerProofInvalid => "its proof of knowledge of its share does not verify".into(),
        D::PublicKeyMismatch => "another joint public key than the device computed".into(),
        D::Degenerate(field) => format!("a degenerate {field}"),
        D::ServerSignatureInvalid => "its signature does not verify".into(),
        D::SealBroken => "a sealed value failed authentication".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_outcomes_read_as_for_a_card() {
        assert_eq!(
            Error::from(DistributedError::Refused(Refusal::PinRejected {
                remaining: 3
            })),
            Error::WrongPin { attempts_left: 3 }
        );
        assert_eq!(
            Error::from(DistributedError::Refused(Refusal::KeyLocked)),
            Error::PinBlocked
        );
        assert_eq!(
            Error::from(Refusal::PinRejected { remaining: 1000 }),
            Error::WrongPin {
                attempts_left: u8::MAX
            }
        );
    }

    #[test]
    fn the_channel_and_the_store_keep_their_kind() {
        assert_eq!(
            Error::from(DistributedError::Channel(ChannelError::HttpStatus(503))),
            Error::TwoParty {
                fault: TwoPartyFault::ServerHttpStatus { status: 503 }
            }
        );
        assert!(matches!(
            Error::from(DistributedError::Store(StoreError::Io(
                std::io::ErrorKind::PermissionDenied
            ))),
            Error::Storage { .. }
        ));
        assert!(matches!(
            Error::from(DistributedError::Malformed {
                what: Encoding::DeviceRecord,
                offset: None
            }),
            Error::Storage { .. }
        ));
    }

    #[test]
    fn a_bad_server_answer_is_misbehaviour() {
        let e = Error::from(DistributedError::ServerSignatureInvalid);
        assert!(matches!(
            e,
            Error::TwoParty {
                fault: TwoPartyFault::ServerMisbehaved { .. }
            }
        ));
        assert!(e.to_string().contains("nothing was signed"));
        assert!(
            e.to_string()
                .ends_with("do not use this server, and report it"),
            "{e}"
        );
    }
}
