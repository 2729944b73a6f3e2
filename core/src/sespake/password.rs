//! From PIN to `Q_PW` (RFC 8133 Section 4.3, step 1 of A; OFP1 Section 4).

use core::fmt;

use super::{Profile, SespakeError};
use crate::crypto::ec::{CurveId, Point, Scalar};
use crate::crypto::kdf::pbkdf2_streebog512;
use crate::crypto::secret::SecretBytes;

/// `F(PW, salt, c)`: the PBKDF2 output a PIN turns into for one curve and
/// salt. Zeroized on drop, redacted in `Debug`.
///
/// Deriving it is the expensive part of SESPAKE (c = 2000 iterations of
/// HMAC-Streebog-512), so an app can compute it while waiting for the tap.
#[derive(Clone)]
pub struct PasswordKey {
    curve: CurveId,
    f: SecretBytes,
}

impl PasswordKey {
    /// The curve the key was derived for (it fixes the length of `F`).
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// `F` itself. Keep the borrow short; for tests against published vectors.
    pub fn expose(&self) -> &[u8] {
        self.f.expose()
    }
}

impl fmt::Debug for PasswordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordKey")
            .field("curve", &self.curve)
            .field("f", &"[REDACTED]")
            .finish()
    }
}

/// `F = PBKDF2(HMAC_GOSTR3411_2012_512, pin, salt, c, len)` with `c` from the
/// profile and `len` = 32 bytes for 256-bit curves, 64 for 512-bit ones
/// (RFC 8133 A.2, OFP1 Section 4). `pin` is the PIN as typed (UTF-8 bytes).
pub fn derive_password_key(
    profile: &Profile,
    curve: CurveId,
    pin: &[u8],
    salt: &[u8],
) -> PasswordKey {
    let f = pbkdf2_streebog512(pin, salt, profile.pbkdf2_iterations(), curve.coord_len());
    PasswordKey { curve, f }
}

/// `Q_PW = int(F) * Q_ind`, with `int` little-endian (RFC 8133 Section 3).
///
/// # Errors
/// [`SespakeError::UnknownPoint`] / [`SespakeError::InvalidProfilePoint`] for
/// a bad `ind`, [`SespakeError::CurveMismatch`] when `key` was derived for
/// another curve, [`SespakeError::DegeneratePassword`] in the (negligible)
/// case `int(F) = 0 mod q`.
pub fn password_point(
    profile: &Profile,
    curve: CurveId,
    ind: u8,
    key: &PasswordKey,
) -> Result<Point, SespakeError> {
    if key.curve != curve {
        return Err(SespakeError::CurveMismatch {
            key: key.curve,
            session: curve,
        });
    }
    let q_ind = profile.point(curve, ind)?;
    // Q_ind has order q, so reducing int(F) mod q leaves Q_PW unchanged.
    let f = Scalar::from_le_bytes_reduced(curve, key.f.expose());
    if f.is_zero() {
        return Err(SespakeError::DegeneratePassword);
    }
    Ok(q_ind.mul(&f))
}
