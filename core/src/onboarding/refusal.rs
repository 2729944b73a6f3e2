//! Why the server refused a pairing step, on the wire and as the SDK's error.

use crate::distributed::{AccessRefusal, TwoPartyFault};

/// A refused pairing step. Codes are stable on the wire; access refusals
/// ([`AccessRefusal`]) travel in the same `Refused` message as
/// [`ACCESS_BASE`] + their code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PairingRefusal {
    /// No pending enrollment for the account.
    #[error("no pending enrollment for this account")]
    NoEnrollment,
    /// The enrollment expired.
    #[error("the enrollment expired")]
    Expired,
    /// The enrollment was used.
    #[error("the enrollment was already used")]
    Used,
    /// `MAC_A` did not verify: a wrong activation code.
    #[error("wrong activation code, {attempts_left} attempt(s) left")]
    WrongCode {
        /// Attempts left before the enrollment locks.
        attempts_left: u8,
    },
    /// Too many wrong codes.
    #[error("the enrollment is locked after too many wrong codes")]
    Locked,
    /// A message that cannot be read, or a value that does not check.
    #[error("malformed or invalid message")]
    Malformed,
    /// The pairing id or session is unknown (expired, finished, or never begun).
    #[error("no such pairing in progress")]
    UnknownPairing,
    /// A sealed message out of sequence or that does not authenticate.
    #[error("a sealed message out of sequence or altered")]
    BadSealed,
    /// The credential's proof of possession does not verify.
    #[error("the device credential's proof does not verify")]
    BadCredential,
    /// The card's certificate request does not verify.
    #[error("the card's certificate request does not verify")]
    BadCardRequest,
    /// The server's storage failed.
    #[error("the server is temporarily unavailable")]
    Unavailable,
}

/// Access refusals are sent as `ACCESS_BASE + code`.
pub const ACCESS_BASE: u16 = 100;

impl PairingRefusal {
    /// `(code, argument)` on the wire.
    pub fn to_wire(self) -> (u16, u32) {
        match self {
            Self::NoEnrollment => (1, 0),
            Self::Expired => (2, 0),
            Self::Used => (3, 0),
            Self::WrongCode { attempts_left } => (4, u32::from(attempts_left)),
            Self::Locked => (5, 0),
            Self::Malformed => (6, 0),
            Self::UnknownPairing => (7, 0),
            Self::BadSealed => (8, 0),
            Self::BadCredential => (9, 0),
            Self::BadCardRequest => (10, 0),
            Self::Unavailable => (11, 0),
        }
    }

    /// From the wire; `None` for an unknown code.
    pub fn from_wire(code: u16, arg: u32) -> Option<Self> {
        Some(match code {
            1 => Self::NoEnrollment,
            2 => Self::Expired,
            3 => Self::Used,
            4 => Self::WrongCode {
                attempts_left: u8::try_from(arg).ok()?,
            },
            5 => Self::Locked,
            6 => Self::Malformed,
            7 => Self::UnknownPairing,
            8 => Self::BadSealed,
            9 => Self::BadCredential,
            10 => Self::BadCardRequest,
            11 => Self::Unavailable,
            _ => return None,
        })
    }
}

impl From<PairingRefusal> for TwoPartyFault {
    fn from(r: PairingRefusal) -> Self {
        match r {
            PairingRefusal::NoEnrollment => TwoPartyFault::NoEnrollment,
            PairingRefusal::Expired => TwoPartyFault::EnrollmentExpired,
            PairingRefusal::Used => TwoPartyFault::EnrollmentUsed,
            PairingRefusal::WrongCode { attempts_left } => {
                TwoPartyFault::ActivationCodeRejected { attempts_left }
            }
            PairingRefusal::Locked => TwoPartyFault::EnrollmentLocked,
            PairingRefusal::Unavailable => TwoPartyFault::ServerUnavailable,
            other => TwoPartyFault::Refused {
                detail: other.to_string(),
            },
        }
    }
}

/// A `Refused(code, arg)` message as the SDK's fault.
pub fn refused_fault(code: u16, arg: u32) -> TwoPartyFault {
    if let Some(r) = code
        .checked_sub(ACCESS_BASE)
        .and_then(AccessRefusal::from_code)
    {
        return r.into();
    }
    match PairingRefusal::from_wire(code, arg) {
        Some(r) => r.into(),
        None => TwoPartyFault::Refused {
            detail: format!("refusal code {code}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in [
            PairingRefusal::NoEnrollment,
            PairingRefusal::Expired,
            PairingRefusal::Used,
            PairingRefusal::WrongCode { attempts_left: 3 },
            PairingRefusal::Locked,
            PairingRefusal::Malformed,
            PairingRefusal::UnknownPairing,
            PairingRefusal::BadSealed,
            PairingRefusal::BadCredential,
            PairingRefusal::BadCardRequest,
            PairingRefusal::Unavailable,
        ] {
            let (c, a) = r.to_wire();
            assert_eq!(PairingRefusal::from_wire(c, a), Some(r));
        }
        assert_eq!(PairingRefusal::from_wire(99, 0), None);
        assert!(matches!(
            refused_fault(ACCESS_BASE + 2, 0),
            TwoPartyFault::AccessRefused { revoked: true, .. }
        ));
    }
}
