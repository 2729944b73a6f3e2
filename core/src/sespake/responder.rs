//! Party B of RFC 8133 Section 4.3 as typed states: the side that stores
//! `Q_PW` (a token for its PIN, `fkn-server` for an activation code).
//!
//! [`ResponderStart`] → `respond(u1)` → ([`ExpectMacA`], `u2`) →
//! `handle(MAC_A)` → [`Responded`] (`K` and `MAC_B`). The attempt counters
//! ([`super::Counters`]) are the caller's: spend one before `respond`.

use core::fmt;

use rand_core::CryptoRng;

use super::host::shared_key;
use super::mac::{Party, Transcript, mac};
use super::{MacContext, PasswordKey, Profile, SespakeError, password_point};
use crate::crypto::ec::{CurveId, Point, Scalar};
use crate::crypto::mac::ct_eq;
use crate::crypto::secret::Key256;

/// Why party B refused a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponderError {
    /// `u1` or `MAC_A` has the wrong length.
    #[error("{what} has the wrong length")]
    BadLength {
        /// `u1` or `MAC_A`.
        what: &'static str,
    },
    /// `u1` is not on the curve.
    #[error("u1 is not a point of the curve")]
    NotOnCurve,
    /// `MAC_A` does not verify: the other party does not know the password.
    #[error("MAC_A does not verify (wrong password)")]
    MacMismatch,
    /// `z_B = 1`: `m/q * (u1 + Q_PW) = O`.
    #[error("u1 + Q_PW has small order (z_B = 1)")]
    SmallOrderPoint,
    /// The stored `Q_PW` is not a valid point, or `beta` is unusable.
    #[error("the stored password record is unusable")]
    BadRecord,
}

/// What party B stores for one password: curve, `ind`, salt and `Q_PW`, and
/// the MAC layout of the exchange.
pub struct ResponderStart {
    curve: CurveId,
    ind: u8,
    salt: Vec<u8>,
    q_pw: Point,
    mac: MacContext,
}

impl ResponderStart {
    /// From a stored `Q_PW` (`BYTES(Q_PW)`, as a token keeps it).
    ///
    /// # Errors
    /// [`ResponderError::BadRecord`] when `q_pw` is not a point of `curve`.
    pub fn from_stored(
        curve: CurveId,
        ind: u8,
        salt: &[u8],
        q_pw: &[u8],
        mac: MacContext,
    ) -> Result<Self, ResponderError> {
        let q_pw = Point::from_bytes(curve, q_pw).map_err(|_| ResponderError::BadRecord)?;
        Ok(ResponderStart {
            curve,
            ind,
            salt: salt.to_vec(),
            q_pw,
            mac,
        })
    }

    /// From the password itself (a server holding a one-time code).
    ///
    /// # Errors
    /// Those of [`password_point`].
    pub fn from_password(
        profile: &Profile,
        curve: CurveId,
        ind: u8,
        salt: &[u8],
        key: &PasswordKey,
        mac: MacContext,
    ) -> Result<Self, SespakeError> {
        let q_pw = password_point(profile, curve, ind, key)?;
        Ok(ResponderStart {
            curve,
            ind,
            salt: salt.to_vec(),
            q_pw,
            mac,
        })
    }

    /// Step 2 with a fresh `beta` from `rng`: checks `u1`, returns the state
    /// awaiting `MAC_A` and `U2` to send.
    ///
    /// # Errors
    /// [`ResponderError::BadLength`] / [`ResponderError::NotOnCurve`] for a
    /// bad `u1`.
    pub fn respond(
        self,
        u1: &[u8],
        rng: &mut impl CryptoRng,
    ) -> Result<(ExpectMacA, Vec<u8>), ResponderError> {
        let beta = Scalar::random_nonzero(self.curve, rng);
        self.respond_with_beta(u1, beta)
    }

    /// [`Self::respond`] with a given `beta` in `1..q-1` (test vectors).
    ///
    /// # Errors
    /// As [`Self::respond`]; `beta = 0` or of another curve is
    /// [`ResponderError::BadRecord`].
    pub fn respond_with_beta(
        self,
        u1: &[u8],
        beta: Scalar,
    ) -> Result<(ExpectMacA, Vec<u8>), ResponderError> {
        let curve = self.curve;
        if beta.is_zero() || beta.curve() != curve {
            return Err(ResponderError::BadRecord);
        }
        if u1.len() != 2 * curve.coord_len() {
            return Err(ResponderError::BadLength { what: "u1" });
        }
        let u1_point =
            Point::from_bytes_on_curve(curve, u1).map_err(|_| ResponderError::NotOnCurve)?;
        // Q_B = u1 + Q_PW; a small-order Q_B is replaced by P and remembered
        // (z_B), failing the exchange only at step 4 as the RFC prescribes.
        let mut q_b = u1_point.add(&self.q_pw);
        let z_b = q_b.mul_by_cofactor().is_identity();
        if z_b {
            q_b = Point::generator(curve);
        }
        let k = shared_key(curve, &beta, &q_b);
        let u2 = Point::mul_generator(&beta).add(&self.q_pw).to_bytes();
        let t = Transcript {
            ind: self.ind,
            salt: &self.salt,
            u1,
            u2: &u2,
        };
        let mac_a = mac(&k, &self.mac, Party::A, &t);
        let mac_b = mac(&k, &self.mac, Party::B, &t);
        let next = ExpectMacA {
            curve,
            k,
            z_b,
            mac_a,
            mac_b,
            u1: u1.to_vec(),
            u2: u2.clone(),
        };
        Ok((next, u2))
    }
}

impl fmt::Debug for ResponderStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderStart")
            .field("curve", &self.curve)
            .field("ind", &self.ind)
            .finish_non_exhaustive()
    }
}

/// Party B after sending `u2`, waiting for `MAC_A` (RFC 8133 step 4).
pub struct ExpectMacA {
    curve: CurveId,
    k: Key256,
    z_b: bool,
    mac_a: [u8; 32],
    mac_b: [u8; 32],
    u1: Vec<u8>,
    u2: Vec<u8>,
}

impl ExpectMacA {
    /// Step 4: checks `MAC_A`, then `z_B`. On success the caller gives the
    /// counters their unit back ([`super::Counters::on_success`]) and sends
    /// `MAC_B`.
    ///
    /// # Errors
    /// [`ResponderError::BadLength`] for a `MAC_A` that is not 32 bytes,
    /// [`ResponderError::MacMismatch`] or [`ResponderError::SmallOrderPoint`].
    pub fn handle(self, mac_a: &[u8]) -> Result<Responded, ResponderError> {
        if mac_a.len() != self.mac_a.len() {
            return Err(ResponderError::BadLength { what: "MAC_A" });
        }
        if !ct_eq(mac_a, &self.mac_a) {
            return Err(ResponderError::MacMismatch);
        }
        if self.z_b {
            return Err(ResponderError::SmallOrderPoint);
        }
        Ok(Responded {
            k: self.k,
            mac_b: self.mac_b,
            u1: self.u1,
            u2: self.u2,
        })
    }

    /// The curve of the exchange.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// `K_B`, `MAC_A` expected and `MAC_B`, for a party B that keeps no
    /// memory between requests (a server stores them sealed, see
    /// [`ExpectMacA::from_parts`]).
    pub fn into_parts(self) -> ResponderParts {
        ResponderParts {
            curve: self.curve,
            k: self.k,
            z_b: self.z_b,
            mac_a: self.mac_a,
            mac_b: self.mac_b,
            u1: self.u1,
            u2: self.u2,
        }
    }

    /// The state back from [`ExpectMacA::into_parts`].
    pub fn from_parts(parts: ResponderParts) -> Self {
        ExpectMacA {
            curve: parts.curve,
            k: parts.k,
            z_b: parts.z_b,
            mac_a: parts.mac_a,
            mac_b: parts.mac_b,
            u1: parts.u1,
            u2: parts.u2,
        }
    }
}

impl fmt::Debug for ExpectMacA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpectMacA")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// The state of [`ExpectMacA`] as plain values, to persist between two
/// requests. `k` is secret (zeroized on drop); seal it before storing.
pub struct ResponderParts {
    /// The curve.
    pub curve: CurveId,
    /// `K_B`.
    pub k: Key256,
    /// Whether `u1 + Q_PW` had small order.
    pub z_b: bool,
    /// The `MAC_A` a party knowing the password sends.
    pub mac_a: [u8; 32],
    /// `MAC_B`.
    pub mac_b: [u8; 32],
    /// `U1` as received.
    pub u1: Vec<u8>,
    /// `U2` as sent.
    pub u2: Vec<u8>,
}

impl fmt::Debug for ResponderParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponderParts")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

/// A successful exchange on party B: the other side knows the password.
#[derive(Debug)]
pub struct Responded {
    /// `K_B`, the SESPAKE key (zeroized on drop).
    pub k: Key256,
    /// `MAC_B` to send.
    pub mac_b: [u8; 32],
    /// `U1` as received.
    pub u1: Vec<u8>,
    /// `U2` as sent.
    pub u2: Vec<u8>,
}
