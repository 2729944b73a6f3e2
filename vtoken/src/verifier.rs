//! Creating a token from PINs: the SESPAKE verifier the token stores instead
//! of a PIN (OFP1 Section 4), computed on the token side.
//!
//! `F = PBKDF2(HMAC_GOSTR3411_2012_512, PIN, salt, 2000, n)` with `n` the
//! coordinate length of the curve, `Q_PW = int_LE(F) * Q_1`. The points
//! `Q_1` are the public data table of RFC 8133 A.1, read through
//! [`fkn_core::crypto::sespake_points`] (pure constants, no protocol code; the
//! same values are in `shared/vectors/rfc-vectors.txt`).

use zeroize::Zeroizing;

use super::VirtualTokenError;
use super::random::TokenRandom;
use super::state::{PasswordRef, PinRecord, TokenState};
use fkn_core::crypto::ec::{CurveId, Scalar};
use fkn_core::crypto::kdf::pbkdf2_streebog512;
use fkn_core::crypto::sespake_points::rfc8133_q1;

/// PBKDF2 iterations of OFP1 Section 4.
pub const PBKDF2_ITERATIONS: u32 = 2000;

/// `BYTES(Q_PW)` for `pin` (UTF-8 bytes as typed) and `salt` on `curve`,
/// with `ind = 1`.
///
/// # Errors
/// [`VirtualTokenError::InvalidState`] for an empty PIN or in the
/// (negligible) case `int_LE(F) = 0 mod q`.
pub fn password_verifier(
    curve: CurveId,
    pin: &str,
    salt: &[u8; 16],
) -> Result<Zeroizing<Vec<u8>>, VirtualTokenError> {
    if pin.is_empty() {
        return Err(VirtualTokenError::InvalidState(
            "a PIN must not be empty".into(),
        ));
    }
    let q_1 = rfc8133_q1(curve)
        .and_then(|q| q.to_point(curve).ok())
        .ok_or_else(|| {
            VirtualTokenError::InvalidState(format!("no valid SESPAKE point Q_1 for {curve}"))
        })?;
    let f = pbkdf2_streebog512(pin.as_bytes(), salt, PBKDF2_ITERATIONS, curve.coord_len());
    // Q_1 has order q, so reducing int_LE(F) mod q leaves Q_PW unchanged.
    let f = Scalar::from_le_bytes_reduced(curve, f.expose());
    if f.is_zero() {
        return Err(VirtualTokenError::InvalidState(
            "this PIN and salt give int(F) = 0 mod q; choose another salt".into(),
        ));
    }
    Ok(Zeroizing::new(q_1.mul(&f).to_bytes()))
}

impl PinRecord {
    /// The record of `pin` with the given salt (full counters, `ind = 1`).
    ///
    /// # Errors
    /// As [`password_verifier`].
    pub fn from_pin(
        reference: PasswordRef,
        curve: CurveId,
        pin: &str,
        salt: [u8; 16],
    ) -> Result<Self, VirtualTokenError> {
        let q_pw = password_verifier(curve, pin, &salt)?;
        PinRecord::new(reference, curve, salt, q_pw.to_vec())
    }

    /// The record of `pin` with a fresh random salt.
    ///
    /// # Errors
    /// As [`password_verifier`].
    pub fn from_pin_random_salt(
        reference: PasswordRef,
        curve: CurveId,
        pin: &str,
        random: &mut dyn TokenRandom,
    ) -> Result<Self, VirtualTokenError> {
        let mut salt = [0u8; 16];
        random.fill_bytes(&mut salt);
        PinRecord::from_pin(reference, curve, pin, salt)
    }
}

impl TokenState {
    /// A new token with no keys whose user and admin PINs are `user_pin` and
    /// `admin_pin`; both passwords use `password_curve` for SESPAKE
    /// (OFP1's default is [`CurveId::Tc26_256A`]) and a fresh 16-byte salt.
    /// Only the verifiers `Q_PW` are kept, never the PINs.
    ///
    /// # Errors
    /// An empty PIN, or a label over 32 bytes
    /// ([`VirtualTokenError::InvalidState`]).
    pub fn with_pins(
        serial: [u8; 8],
        label: &str,
        user_pin: &str,
        admin_pin: &str,
        password_curve: CurveId,
        random: &mut dyn TokenRandom,
    ) -> Result<Self, VirtualTokenError> {
        let user =
            PinRecord::from_pin_random_salt(PasswordRef::User, password_curve, user_pin, random)?;
        let admin =
            PinRecord::from_pin_random_salt(PasswordRef::Admin, password_curve, admin_pin, random)?;
        TokenState::new(serial, label, user, admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::OsRandom;

    #[test]
    fn rfc8133_a2_password_point() {
        // RFC 8133 A.2.6 (tc26-256-A): PW "123456", the salt below; the OFP1
        // transcript prints the same Q_PW.
        let salt: [u8; 16] = hex::decode("2923BE84E16CD6AE529049F1F1BBE9EB")
            .expect("hex")
            .try_into()
            .expect("16 bytes");
        let q = password_verifier(CurveId::Tc26_256A, "123456", &salt).expect("verifier");
        assert_eq!(
            hex::encode_upper(&q[..]),
            "2976235468BF756DA9354D2D8AD1F1DE89F55D696E8CA42F815689072798F9DB\
             8975D618FC02CB5E8FC49388381B474D284F8882F2CFA01DEE7BC5FB8BD4DD9F"
        );
        assert!(password_verifier(CurveId::Tc26_256A, "", &salt).is_err());
    }

    #[test]
    fn with_pins_salts_each_password() {
        let s = TokenState::with_pins(
            [1; 8],
            "t",
            "1111",
            "2222",
            CurveId::CryptoProB,
            &mut OsRandom,
        )
        .expect("state");
        let (u, a) = (s.pin(PasswordRef::User), s.pin(PasswordRef::Admin));
        assert_ne!(u.salt(), a.salt());
        assert_eq!(u.curve(), CurveId::CryptoProB);
        let again =
            PinRecord::from_pin(PasswordRef::User, u.curve(), "1111", *u.salt()).expect("record");
        assert_eq!(&again, u);
    }
}
