//! Party A of RFC 8133 Section 4.3 as typed states: each `handle` consumes
//! the state it is called on and returns the next one.

use core::fmt;

use rand_core::CryptoRng;
use zeroize::Zeroize;

use super::mac::{Party, Transcript, mac};
use super::{MacContext, PasswordKey, Profile, SespakeError, password_point};
use crate::crypto::ec::{CurveId, Point, Scalar};
use crate::crypto::hash::streebog256;
use crate::crypto::mac::ct_eq;
use crate::crypto::secret::Key256;

/// Everything party A needs before step 1: curve, `ind`, salt, `Q_PW` and the
/// MAC layout. Build it with [`HostStart::new`], then send `u1` with
/// [`HostStart::start`].
pub struct HostStart {
    curve: CurveId,
    ind: u8,
    salt: Vec<u8>,
    q_pw: Point,
    mac: MacContext,
}

impl HostStart {
    /// Prepares step 1 for the password `key` (see
    /// [`super::derive_password_key`]) of a token that announced `curve`,
    /// `ind` and `salt` (OFP1: the SELECT password template).
    ///
    /// # Errors
    /// Those of [`password_point`].
    pub fn new(
        profile: &Profile,
        curve: CurveId,
        ind: u8,
        salt: &[u8],
        key: &PasswordKey,
        mac: MacContext,
    ) -> Result<Self, SespakeError> {
        let q_pw = password_point(profile, curve, ind, key)?;
        Ok(HostStart {
            curve,
            ind,
            salt: salt.to_vec(),
            q_pw,
            mac,
        })
    }

    /// Step 1 with a fresh `alpha` from `rng`: returns the next state and
    /// `U1 = BYTES(alpha*P - Q_PW)` to send.
    pub fn start(self, rng: &mut impl CryptoRng) -> (ExpectU2, Vec<u8>) {
        let alpha = Scalar::random_nonzero(self.curve, rng);
        self.step1(alpha)
    }

    /// Step 1 with a given `alpha` in `1..q-1` (for published test vectors).
    ///
    /// # Errors
    /// [`SespakeError::InvalidAlpha`] when `alpha = 0` or belongs to another
    /// curve.
    pub fn start_with_alpha(self, alpha: Scalar) -> Result<(ExpectU2, Vec<u8>), SespakeError> {
        if alpha.is_zero() || alpha.curve() != self.curve {
            return Err(SespakeError::InvalidAlpha { curve: self.curve });
        }
        Ok(self.step1(alpha))
    }

    fn step1(self, alpha: Scalar) -> (ExpectU2, Vec<u8>) {
        let u1 = Point::mul_generator(&alpha).sub(&self.q_pw).to_bytes();
        let state = ExpectU2 {
            start: self,
            alpha,
            u1: u1.clone(),
        };
        (state, u1)
    }
}

impl fmt::Debug for HostStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostStart")
            .field("curve", &self.curve)
            .field("ind", &self.ind)
            .finish_non_exhaustive()
    }
}

/// Party A after sending `u1`, waiting for the token's `u2` (RFC 8133 step 3).
pub struct ExpectU2 {
    start: HostStart,
    alpha: Scalar,
    u1: Vec<u8>,
}

impl ExpectU2 {
    /// Step 3: checks `u2 ∈ E`, computes `Q_A = u2 - Q_PW` (with `Q_A = P`,
    /// `z_A = 1` when `m/q * Q_A = O`), `K_A = HASH(BYTES((m/q * alpha mod q) * Q_A))`
    /// and `MAC_A`. Returns the next state and `MAC_A` to send.
    ///
    /// As RFC 8133 prescribes, `z_A = 1` does not stop this step: it fails the
    /// exchange in [`ExpectMacB::handle`], so that both outcomes look alike
    /// on the wire.
    ///
    /// # Errors
    /// [`SespakeError::BadLength`] or [`SespakeError::PointNotOnCurve`] for a
    /// malformed `u2`.
    pub fn handle(self, u2: &[u8]) -> Result<(ExpectMacB, [u8; 32]), SespakeError> {
        let curve = self.start.curve;
        let expected = 2 * curve.coord_len();
        if u2.len() != expected {
            return Err(SespakeError::BadLength {
                what: "u2",
                len: u2.len(),
                expected,
            });
        }
        let u2_point = Point::from_bytes_on_curve(curve, u2)
            .map_err(|_| SespakeError::PointNotOnCurve { curve })?;
        let mut q_a = u2_point.sub(&self.start.q_pw);
        let z_a = q_a.mul_by_cofactor().is_identity();
        if z_a {
            q_a = Point::generator(curve);
        }
        let k = shared_key(curve, &self.alpha, &q_a);
        let t = Transcript {
            ind: self.start.ind,
            salt: &self.start.salt,
            u1: &self.u1,
            u2,
        };
        let mac_a = mac(&k, &self.start.mac, Party::A, &t);
        let mac_b = mac(&k, &self.start.mac, Party::B, &t);
        let next = ExpectMacB {
            curve,
            k,
            z_a,
            mac_b,
            u1: self.u1,
            u2: u2.to_vec(),
        };
        Ok((next, mac_a))
    }

    /// `U1` as sent (public).
    pub fn u1(&self) -> &[u8] {
        &self.u1
    }
}

impl fmt::Debug for ExpectU2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectU2")
            .field("curve", &self.start.curve)
            .finish_non_exhaustive()
    }
}

/// `K = HASH(BYTES((m/q * s mod q) * Q))` with HASH = Streebog-256 on every
/// curve (RFC 8133 steps 2 and 3). The product is reduced mod q first, as the
/// RFC writes it.
pub(super) fn shared_key(curve: CurveId, s: &Scalar, q: &Point) -> Key256 {
    let mut k = s.clone();
    for _ in 1..curve.cofactor() {
        k = k.add(s);
    }
    let mut src = q.mul(&k).to_bytes();
    let key = Key256::from_bytes(streebog256(&src));
    src.zeroize();
    key
}

/// Party A after sending `MAC_A`, waiting for the token's `MAC_B` (RFC 8133
/// step 5).
pub struct ExpectMacB {
    curve: CurveId,
    k: Key256,
    z_a: bool,
    mac_b: [u8; 32],
    u1: Vec<u8>,
    u2: Vec<u8>,
}

impl ExpectMacB {
    /// `K_A` before `MAC_B` is checked. Use it only to protect data meant
    /// for the party that must know the password (pairing seals its first
    /// message with it); a party that does not know it cannot derive `K`.
    pub fn unconfirmed_key(&self) -> &Key256 {
        &self.k
    }

    /// Step 5: the token is authenticated when `MAC_B` verifies and `z_A = 0`.
    ///
    /// # Errors
    /// [`SespakeError::SmallOrderPoint`] when `z_A = 1`,
    /// [`SespakeError::MacMismatch`] for a wrong `MAC_B` (of any length).
    pub fn handle(self, mac_b: &[u8]) -> Result<Established, SespakeError> {
        let mac_ok = ct_eq(mac_b, &self.mac_b);
        if self.z_a {
            return Err(SespakeError::SmallOrderPoint);
        }
        if !mac_ok {
            return Err(SespakeError::MacMismatch);
        }
        Ok(Established {
            k: self.k,
            u1: self.u1,
            u2: self.u2,
        })
    }
}

impl fmt::Debug for ExpectMacB {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectMacB")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// A completed exchange: the token proved it holds `Q_PW`. `k` is the
/// SESPAKE key `K`; with `u1 || u2` as seed it gives the secure-messaging
/// keys ([`crate::sm::SmKeys::derive`]).
#[derive(Debug)]
pub struct Established {
    /// `K = K_A = K_B`, zeroized on drop.
    pub k: Key256,
    /// `U1` as sent.
    pub u1: Vec<u8>,
    /// `U2` as received.
    pub u2: Vec<u8>,
}
