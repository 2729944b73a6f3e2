//! SESPAKE party B (RFC 8133 Section 4.3, OFP1 Section 4): the token's half
//! of GENERAL AUTHENTICATE, and the rules of its password counters.
//!
//! Written apart from the host's [`fkn_core::sespake`] on purpose: the two sides
//! only share the curve arithmetic and hash/MAC primitives, so a test that
//! makes them agree checks each against the other.
//!
//! The dispatcher drives it on a [`PinRecord`]:
//! [`Counters::begin_attempt`] (`69 83` when blocked), then [`step1`] with
//! `u1` → `u2`, then [`AwaitMacA::step2`] with `MAC_A` → `K` and `MAC_B`
//! ([`Counters::on_success`] on success). Errors name their status word
//! ([`TokenSespakeError::status_word`]).

use core::fmt;

use rand_core::CryptoRng;
use zeroize::Zeroize;

use fkn_core::crypto::ec::{CurveId, Point, Scalar};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::mac::{HmacStreebog256, ct_eq};
use fkn_core::crypto::secret::Key256;

use super::state::PinRecord;

/// `CLim1`: consecutive failed attempts before a password is blocked.
pub const CLIM1: u32 = 5;
/// `CLim2`: attempts that may be left unfinished (each success gives one back).
pub const CLIM2: u32 = 10;
/// `CLim3`: attempts over a password's lifetime.
pub const CLIM3: u32 = 100_000;

/// The three attempt counters of one password (RFC 8133 Section 4.3 step 2,
/// OFP1 Section 4). Plain data: the token persists it in its
/// [`PinRecord`] (as [`super::state::PinCounters`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    /// `C1`: reset to `CLim1` by a success; `63 Cx` reports it.
    pub c1: u32,
    /// `C2`: one unit comes back with each success, up to `CLim2`.
    pub c2: u32,
    /// `C3`: never given back.
    pub c3: u32,
}

/// The password is blocked: a counter reached zero (`69 83`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the password is blocked (an attempt counter is zero)")]
pub struct Blocked;

impl Counters {
    /// Fresh counters: `CLim1`, `CLim2`, `CLim3`.
    pub const fn new() -> Self {
        Counters {
            c1: CLIM1,
            c2: CLIM2,
            c3: CLIM3,
        }
    }

    /// Whether any counter is zero (`69 83`).
    pub fn is_blocked(&self) -> bool {
        self.c1 == 0 || self.c2 == 0 || self.c3 == 0
    }

    /// Step 2 of B, before looking at `u1`: refuses when blocked, otherwise
    /// spends one unit of each counter.
    ///
    /// # Errors
    /// [`Blocked`] when a counter is zero (nothing changes then).
    pub fn begin_attempt(&mut self) -> Result<(), Blocked> {
        if self.is_blocked() {
            return Err(Blocked);
        }
        self.c1 -= 1;
        self.c2 -= 1;
        self.c3 -= 1;
        Ok(())
    }

    /// After a verified `MAC_A`: `C1 = CLim1`, `C2 = min(C2 + 1, CLim2)`; `C3`
    /// stays spent.
    pub fn on_success(&mut self) {
        self.c1 = CLIM1;
        self.c2 = (self.c2 + 1).min(CLIM2);
    }

    /// After change PIN or unblock: all three back to their limits.
    pub fn reset(&mut self) {
        *self = Counters::new();
    }

    /// `x` of `63 Cx` after a failed attempt: `C1`, at most 15.
    pub fn attempts_left(&self) -> u8 {
        self.c1.min(15) as u8
    }
}

impl Default for Counters {
    fn default() -> Self {
        Counters::new()
    }
}

/// The identities in the token's MAC inputs (OFP1 Section 4):
/// `01 || ID_A || ind || salt || U1 || U2 || ID_ALG` and the same with `02 || ID_B`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacIds {
    /// `ID_A` as the host sent it in tag `80` (empty when absent).
    pub id_a: Vec<u8>,
    /// `ID_B`: the token's serial.
    pub id_b: Vec<u8>,
    /// `ID_ALG` after `U2`; empty to leave it out.
    pub id_alg: Vec<u8>,
}

impl MacIds {
    /// OFP1: `ID_A` from tag `80` (or empty), `ID_B` = serial, `ID_ALG` = the
    /// DER TLV of the curve's OID.
    pub fn ofp1(curve: CurveId, serial: &[u8], id_a: &[u8]) -> Self {
        MacIds {
            id_a: id_a.to_vec(),
            id_b: serial.to_vec(),
            id_alg: curve.oid_der().to_vec(),
        }
    }

    /// RFC 8133 A.2: `ID_A = ID_B = 00 00 00 00`, no `ID_ALG`.
    pub fn rfc8133_examples() -> Self {
        MacIds {
            id_a: vec![0; 4],
            id_b: vec![0; 4],
            id_alg: Vec::new(),
        }
    }
}

/// A failed token-side SESPAKE step, with the status word it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenSespakeError {
    /// `u1` or `MAC_A` has the wrong length (`6A 80`).
    #[error("{what} has the wrong length")]
    BadLength {
        /// `u1` or `MAC_A`.
        what: &'static str,
    },
    /// `u1` is not on the curve (`6A 80`).
    #[error("u1 is not a point of the curve")]
    NotOnCurve,
    /// `MAC_A` does not verify: wrong PIN (`63 Cx`).
    #[error("MAC_A does not verify (wrong password)")]
    MacMismatch,
    /// `z_B = 1`: `m/q * (u1 + Q_PW) = O` (`63 Cx`).
    #[error("u1 + Q_PW has small order (z_B = 1)")]
    SmallOrderPoint,
    /// The stored `Q_PW` is not a valid point, or `beta = 0` was injected
    /// (`6F 00`).
    #[error("the stored password record is unusable")]
    BadRecord,
}

impl TokenSespakeError {
    /// The status word OFP1 Section 4 gives this failure; `counters` are the
    /// password's counters after [`Counters::begin_attempt`].
    pub fn status_word(&self, counters: &Counters) -> u16 {
        match self {
            Self::BadLength { .. } | Self::NotOnCurve => 0x6A80,
            Self::MacMismatch | Self::SmallOrderPoint => {
                0x63C0 | u16::from(counters.attempts_left())
            }
            Self::BadRecord => 0x6F00,
        }
    }
}

/// Step 2 of B with a fresh `beta` from `rng`: checks `u1`, returns the state
/// awaiting `MAC_A` and `U2` to send. Call [`Counters::begin_attempt`]
/// first.
///
/// # Errors
/// [`TokenSespakeError::BadLength`] / [`TokenSespakeError::NotOnCurve`] for a
/// bad `u1`, [`TokenSespakeError::BadRecord`] for an unusable record.
pub fn step1(
    record: &PinRecord,
    ids: MacIds,
    u1: &[u8],
    rng: &mut impl CryptoRng,
) -> Result<(AwaitMacA, Vec<u8>), TokenSespakeError> {
    let beta = Scalar::random_nonzero(record.curve(), rng);
    step1_with_beta(record, ids, u1, beta)
}

/// [`step1`] with a given `beta` in `1..q-1` (test vectors).
///
/// # Errors
/// As [`step1`]; `beta = 0` is [`TokenSespakeError::BadRecord`].
pub fn step1_with_beta(
    record: &PinRecord,
    ids: MacIds,
    u1: &[u8],
    beta: Scalar,
) -> Result<(AwaitMacA, Vec<u8>), TokenSespakeError> {
    let curve = record.curve();
    if beta.is_zero() || beta.curve() != curve {
        return Err(TokenSespakeError::BadRecord);
    }
    let q_pw = Point::from_bytes(curve, record.q_pw()).map_err(|_| TokenSespakeError::BadRecord)?;
    if u1.len() != 2 * curve.coord_len() {
        return Err(TokenSespakeError::BadLength { what: "u1" });
    }
    let u1_point =
        Point::from_bytes_on_curve(curve, u1).map_err(|_| TokenSespakeError::NotOnCurve)?;

    // Q_B = u1 + Q_PW; a small-order Q_B is replaced by P and remembered (z_B).
    let mut q_b = u1_point.add(&q_pw);
    let z_b = q_b.mul_by_cofactor().is_identity();
    if z_b {
        q_b = Point::generator(curve);
    }
    // K_B = HASH(BYTES((m/q * beta mod q) * Q_B)), HASH = Streebog-256.
    let m_over_q = Scalar::from_be_bytes_reduced(curve, &curve.cofactor().to_be_bytes());
    let mut src = q_b.mul(&m_over_q.mul(&beta)).to_bytes();
    let k = Key256::from_bytes(streebog256(&src));
    src.zeroize();

    let u2 = Point::mul_generator(&beta).add(&q_pw).to_bytes();
    let mac_a = token_mac(&k, 0x01, &ids.id_a, record, u1, &u2, &ids.id_alg);
    let mac_b = token_mac(&k, 0x02, &ids.id_b, record, u1, &u2, &ids.id_alg);
    let state = AwaitMacA {
        curve,
        k,
        z_b,
        mac_a,
        mac_b,
        u1: u1.to_vec(),
        u2: u2.clone(),
    };
    Ok((state, u2))
}

/// `HMAC256(K, prefix || ID || ind || salt || U1 || U2 || ID_ALG)`.
fn token_mac(
    k: &Key256,
    prefix: u8,
    id: &[u8],
    record: &PinRecord,
    u1: &[u8],
    u2: &[u8],
    id_alg: &[u8],
) -> [u8; 32] {
    let mut m = HmacStreebog256::new(k.expose());
    for part in [
        &[prefix][..],
        id,
        &[record.ind()],
        record.salt(),
        u1,
        u2,
        id_alg,
    ] {
        m.update(part);
    }
    m.finalize()
}

/// The token after sending `u2`, waiting for `MAC_A` (RFC 8133 step 4).
pub struct AwaitMacA {
    curve: CurveId,
    k: Key256,
    z_b: bool,
    mac_a: [u8; 32],
    mac_b: [u8; 32],
    u1: Vec<u8>,
    u2: Vec<u8>,
}

/// A successful exchange on the token: the host knows the password.
#[derive(Debug)]
pub struct Authenticated {
    /// `K_B`, the SESPAKE key (zeroized on drop); with `u1 || u2` it keys
    /// [`super::secure_messaging::TokenSecureMessaging::new`].
    pub k: Key256,
    /// `MAC_B` to send in tag `84`.
    pub mac_b: [u8; 32],
    /// `U1` as received.
    pub u1: Vec<u8>,
    /// `U2` as sent.
    pub u2: Vec<u8>,
}

impl AwaitMacA {
    /// Step 4 of B: checks `MAC_A`, then `z_B`. On success call
    /// [`Counters::on_success`] and answer `MAC_B`.
    ///
    /// # Errors
    /// [`TokenSespakeError::BadLength`] (`6A 80`) for a `MAC_A` that is not
    /// 32 bytes, [`TokenSespakeError::MacMismatch`] or
    /// [`TokenSespakeError::SmallOrderPoint`] (`63 Cx`).
    pub fn step2(self, mac_a: &[u8]) -> Result<Authenticated, TokenSespakeError> {
        if mac_a.len() != self.mac_a.len() {
            return Err(TokenSespakeError::BadLength { what: "MAC_A" });
        }
        if !ct_eq(mac_a, &self.mac_a) {
            return Err(TokenSespakeError::MacMismatch);
        }
        if self.z_b {
            return Err(TokenSespakeError::SmallOrderPoint);
        }
        Ok(Authenticated {
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
}

impl fmt::Debug for AwaitMacA {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwaitMacA")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_and_success_resets_c1() {
        let mut c = Counters::new();
        for left in (0..5u8).rev() {
            c.begin_attempt().expect("not blocked yet");
            assert_eq!(c.attempts_left(), left);
        }
        assert!(c.is_blocked());
        assert_eq!(c.begin_attempt(), Err(Blocked));
        let blocked = Counters {
            c1: 0,
            c2: CLIM2 - 5,
            c3: CLIM3 - 5,
        };
        assert_eq!(c, blocked, "a refused attempt changes nothing");

        let mut c = Counters::new();
        c.begin_attempt().expect("fresh");
        c.begin_attempt().expect("fresh");
        c.on_success();
        let after = Counters {
            c1: CLIM1,
            c2: CLIM2 - 1,
            c3: CLIM3 - 2,
        };
        assert_eq!(c, after);
        c.begin_attempt().expect("fresh");
        c.on_success();
        c.on_success();
        assert_eq!(c.c2, CLIM2, "C2 never exceeds CLim2");
    }

    #[test]
    fn c2_and_c3_block_too() {
        let mut c = Counters {
            c1: CLIM1,
            c2: CLIM2,
            c3: 1,
        };
        c.begin_attempt().expect("one left");
        c.on_success();
        assert!(c.is_blocked(), "C3 is never given back");
        assert_eq!(c.begin_attempt(), Err(Blocked));

        // Unfinished attempts (step 1 only) eat C2 without touching C1 afterwards.
        let mut c = Counters::new();
        for _ in 0..CLIM2 {
            if c.begin_attempt().is_err() {
                break;
            }
            c.c1 = CLIM1; // as if C1 had been reset by some other path
        }
        assert_eq!(c.c2, 0);
        assert!(c.is_blocked());
    }

    #[test]
    fn status_words() {
        let c = Counters {
            c1: 3,
            c2: 9,
            c3: 7,
        };
        assert_eq!(TokenSespakeError::MacMismatch.status_word(&c), 0x63C3);
        assert_eq!(TokenSespakeError::SmallOrderPoint.status_word(&c), 0x63C3);
        assert_eq!(TokenSespakeError::NotOnCurve.status_word(&c), 0x6A80);
        assert_eq!(
            TokenSespakeError::BadLength { what: "u1" }.status_word(&c),
            0x6A80
        );
        assert_eq!(TokenSespakeError::BadRecord.status_word(&c), 0x6F00);
    }
}
