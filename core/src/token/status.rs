//! What a status word means for the command that got it (OFP1 Sections 3,
//! 4, 6 and 7).
//!
//! A status word is read against the command it answers: `69 83` is "PIN
//! blocked" only for GENERAL AUTHENTICATE, `63 Cx` is a wrong PIN only for
//! its step 2, `6A 82` is "no application" for SELECT and "no such key" for
//! sign. Each command has a small table of what OFP1 lets the token answer;
//! any other status word is the card breaking the protocol
//! ([`Violation::UnexpectedStatus`]), never a PIN or key outcome it did not
//! earn. `61 xx` and `6C xx` never get here: the APDU channel consumes them.

use crate::error::{CardRefusal, Error, Result, Violation};

/// The host's OFP1 commands, as far as their status words differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ofp1Command {
    /// SELECT of the OFP1 application (Section 3).
    Select,
    /// GENERAL AUTHENTICATE step 1, `U1` (Section 4).
    AuthenticateStep1,
    /// GENERAL AUTHENTICATE step 2, `MAC_A` (Section 4).
    AuthenticateStep2,
    /// Token info.
    TokenInfo,
    /// List keys.
    ListKeys,
    /// Generate key.
    GenerateKey,
    /// Sign.
    Sign,
    /// Put certificate.
    PutCertificate,
    /// Get certificate.
    GetCertificate,
    /// Delete key.
    DeleteKey,
    /// Change PIN.
    ChangePin,
    /// Unblock the user PIN.
    UnblockPin,
    /// Random, plain or wrapped.
    Random,
}

/// What a status word means for `cmd`: `Ok` for `90 00`, the typed outcome
/// for the status words OFP1 gives `cmd`, [`Violation::UnexpectedStatus`]
/// for the rest.
pub fn check(cmd: Ofp1Command, sw: u16) -> Result<()> {
    use Ofp1Command as C;
    let outcome: Option<Error> = match (cmd, sw) {
        (_, 0x9000) => return Ok(()),
        // Any command: the token failed, cannot take the length (no extended
        // APDUs), or does not implement the command (not OFP1, old firmware).
        (_, 0x6F00 | 0x6700 | 0x6D00 | 0x6E00 | 0x6A86) => Some(refused(sw)),

        (C::Select, 0x6A82) => Some(CardRefusal::NoApplication.into()),

        // Step 1: the counters are checked before anything else.
        (C::AuthenticateStep1, 0x6983) => Some(Error::PinBlocked),
        // Step 2: the verdict on MAC_A; 69 85 when the token lost step 1
        // (reset, re-selected between the two taps' halves).
        (C::AuthenticateStep2, 0x63C0..=0x63CF) => Some(Error::WrongPin {
            attempts_left: (sw & 0x0F) as u8,
        }),
        (C::AuthenticateStep2, 0x6983) => Some(Error::PinBlocked),
        (C::AuthenticateStep2, 0x6985) => Some(refused(sw)),

        // Commands that need a session with a PIN that has the right.
        (
            C::GenerateKey
            | C::Sign
            | C::PutCertificate
            | C::DeleteKey
            | C::ChangePin
            | C::UnblockPin,
            0x6982,
        ) => Some(CardRefusal::NotAuthenticated.into()),
        (C::Sign | C::PutCertificate | C::GetCertificate | C::DeleteKey, 0x6A82) => {
            Some(CardRefusal::KeyNotFound.into())
        }
        (C::GetCertificate, 0x6A88) => Some(CardRefusal::CertificateNotFound.into()),
        (C::GenerateKey | C::PutCertificate, 0x6A84) => Some(CardRefusal::TokenFull.into()),
        (C::GenerateKey, 0x6A89) => Some(CardRefusal::KeyIdExists.into()),
        // The data the caller gave (a digest size that does not fit the
        // key's curve, a curve the token cannot use, a certificate).
        (C::GenerateKey | C::Sign | C::PutCertificate, 0x6A80) => Some(refused(sw)),
        _ => None,
    };
    Err(outcome.unwrap_or_else(|| {
        log::debug!("{cmd:?} answered {sw:04X}, which OFP1 does not give it");
        Violation::UnexpectedStatus { sw }.into()
    }))
}

fn refused(sw: u16) -> Error {
    CardRefusal::Status { sw }.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_status_word_by_command() {
        let unexpected = |sw| Err(Violation::UnexpectedStatus { sw }.into());
        assert_eq!(check(Ofp1Command::Select, 0x6983), unexpected(0x6983));
        assert_eq!(
            check(Ofp1Command::AuthenticateStep1, 0x6983),
            Err(Error::PinBlocked)
        );
        assert_eq!(check(Ofp1Command::Select, 0x63C0), unexpected(0x63C0));
        assert_eq!(
            check(Ofp1Command::AuthenticateStep1, 0x63C2),
            unexpected(0x63C2)
        );
        assert_eq!(
            check(Ofp1Command::AuthenticateStep2, 0x63C2),
            Err(Error::WrongPin { attempts_left: 2 })
        );
        assert_eq!(check(Ofp1Command::Select, 0x6988), unexpected(0x6988));
        assert_eq!(
            check(Ofp1Command::AuthenticateStep2, 0x6A80),
            unexpected(0x6A80)
        );
        assert_eq!(
            check(Ofp1Command::Sign, 0x6A80),
            Err(CardRefusal::Status { sw: 0x6A80 }.into())
        );
        assert_eq!(
            check(Ofp1Command::Select, 0x6A82),
            Err(CardRefusal::NoApplication.into())
        );
        assert_eq!(
            check(Ofp1Command::Sign, 0x6A82),
            Err(CardRefusal::KeyNotFound.into())
        );
        assert_eq!(check(Ofp1Command::TokenInfo, 0x6A82), unexpected(0x6A82));
        assert_eq!(check(Ofp1Command::Random, 0x9000), Ok(()));
        assert_eq!(
            check(Ofp1Command::ListKeys, 0x6F00),
            Err(CardRefusal::Status { sw: 0x6F00 }.into())
        );
    }
}
