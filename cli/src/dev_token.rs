//! The development token: what `fkn token serve` runs when no `--token` is
//! given. It is the token of the OFP1 worked example
//! (`shared/vectors/ofp1-transcript.json`): serial `4F46503100000001`, label
//! "OFP1 test token", password curve id-tc26-gost-3410-2012-256-paramSetA, and
//! the **publicly known** PINs below. For development and tests only; real
//! tokens get their PINs at initialisation.

use anyhow::Context;
use fkn_core::crypto::ec::CurveId;
use fkn_core::sespake::{Profile, derive_password_key, password_point};
use fkn_vtoken::{PasswordRef, PinRecord, TokenState};

/// The user PIN of the development token.
pub const USER_PIN: &str = "123456";
/// The admin PIN of the development token.
pub const ADMIN_PIN: &str = "87654321";

const SERIAL: [u8; 8] = [0x4F, 0x46, 0x50, 0x31, 0x00, 0x00, 0x00, 0x01];
const LABEL: &str = "OFP1 test token";
const CURVE: CurveId = CurveId::Tc26_256A;
/// The user salt of RFC 8133 A.2 (as in the worked example).
const USER_SALT: [u8; 16] = [
    0x29, 0x23, 0xBE, 0x84, 0xE1, 0x6C, 0xD6, 0xAE, 0x52, 0x90, 0x49, 0xF1, 0xF1, 0xBB, 0xE9, 0xEB,
];
const ADMIN_SALT: [u8; 16] = [
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
];

/// The password record for `pin`: the token stores only
/// `Q_PW = int_LE(PBKDF2(pin, salt)) * Q_1` (OFP1 Section 4).
fn record(reference: PasswordRef, pin: &str, salt: [u8; 16]) -> anyhow::Result<PinRecord> {
    let profile = Profile::ofp1();
    let key = derive_password_key(&profile, CURVE, pin.as_bytes(), &salt);
    let q_pw = password_point(&profile, CURVE, 1, &key)
        .context("deriving the development token's password verifier")?;
    Ok(PinRecord::new(reference, CURVE, salt, q_pw.to_bytes())?)
}

/// A fresh development token state (no keys).
pub fn state() -> anyhow::Result<TokenState> {
    Ok(TokenState::new(
        SERIAL,
        LABEL,
        record(PasswordRef::User, USER_PIN, USER_SALT)?,
        record(PasswordRef::Admin, ADMIN_PIN, ADMIN_SALT)?,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_verifier_is_the_worked_example_q_pw() {
        // sespake.Q_PW.bytes of the tc26-256-A example in ofp1-transcript.json
        // (= RFC 8133 A.2's Q_PW for PIN 123456 and this salt).
        const Q_PW: &str = "2976235468BF756DA9354D2D8AD1F1DE89F55D696E8CA42F815689072798F9DB\
                            8975D618FC02CB5E8FC49388381B474D284F8882F2CFA01DEE7BC5FB8BD4DD9F";
        let s = state().unwrap();
        assert_eq!(hex::encode_upper(s.pin(PasswordRef::User).q_pw()), Q_PW);
        assert_eq!(s.serial(), &SERIAL);
        assert_eq!(s.label(), LABEL);
        // The admin verifier is a different point of the same curve.
        let admin = s.pin(PasswordRef::Admin);
        assert_eq!(admin.q_pw().len(), 64);
        assert_ne!(admin.q_pw(), s.pin(PasswordRef::User).q_pw());
        assert_eq!(admin.salt(), &ADMIN_SALT);
    }
}
