//! SESPAKE party B on the token (OFP1 Section 4): the core's responder
//! ([`fkn_core::sespake::ResponderStart`]) over a [`PinRecord`], with OFP1's
//! MAC identities and the status word of each failure.
//!
//! The dispatcher drives it: [`Counters::begin_attempt`] (`69 83` when
//! blocked), then [`step1`] with `u1` → `u2`, then [`AwaitMacA::step2`] with
//! `MAC_A` → `K` and `MAC_B` ([`Counters::on_success`] on success). Errors
//! name their status word ([`TokenSespakeError::status_word`]).

use rand_core::CryptoRng;

use fkn_core::crypto::ec::{CurveId, Scalar};
pub use fkn_core::sespake::{Blocked, CLIM1, CLIM2, CLIM3, Counters};
use fkn_core::sespake::{ExpectMacA, MacContext, Responded, ResponderError, ResponderStart};

use super::state::PinRecord;

/// A failed token-side SESPAKE step; see [`TokenSespakeError::status_word`].
pub type TokenSespakeError = ResponderError;

/// The state awaiting `MAC_A`.
pub type AwaitMacA = ExpectMacA;

/// A successful exchange on the token: `K_B`, `MAC_B` (tag `84`), `U1`, `U2`.
pub type Authenticated = Responded;

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

    fn context(self) -> MacContext {
        MacContext {
            id_a: self.id_a,
            id_b: self.id_b,
            id_alg: self.id_alg,
        }
    }
}

/// The status word OFP1 Section 4 gives a failure; `counters` are the
/// password's counters after [`Counters::begin_attempt`].
pub fn status_word(e: &TokenSespakeError, counters: &Counters) -> u16 {
    match e {
        ResponderError::MacMismatch | ResponderError::SmallOrderPoint => {
            0x63C0 | u16::from(counters.attempts_left())
        }
        ResponderError::BadRecord => 0x6F00,
        // Length and point errors, and anything a later core adds.
        _ => 0x6A80,
    }
}

/// Step 2 of B with a fresh `beta` from `rng`: checks `u1`, returns the state
/// awaiting `MAC_A` and `U2` to send. Call [`Counters::begin_attempt`] first.
///
/// # Errors
/// [`ResponderError::BadLength`] / [`ResponderError::NotOnCurve`] for a bad
/// `u1`, [`ResponderError::BadRecord`] for an unusable record.
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
/// As [`step1`]; `beta = 0` is [`ResponderError::BadRecord`].
pub fn step1_with_beta(
    record: &PinRecord,
    ids: MacIds,
    u1: &[u8],
    beta: Scalar,
) -> Result<(AwaitMacA, Vec<u8>), TokenSespakeError> {
    ResponderStart::from_stored(
        record.curve(),
        record.ind(),
        record.salt(),
        record.q_pw(),
        ids.context(),
    )?
    .respond_with_beta(u1, beta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words() {
        let c = Counters {
            c1: 3,
            c2: 9,
            c3: 7,
        };
        assert_eq!(status_word(&ResponderError::MacMismatch, &c), 0x63C3);
        assert_eq!(status_word(&ResponderError::SmallOrderPoint, &c), 0x63C3);
        assert_eq!(status_word(&ResponderError::NotOnCurve, &c), 0x6A80);
        assert_eq!(
            status_word(&ResponderError::BadLength { what: "u1" }, &c),
            0x6A80
        );
        assert_eq!(status_word(&ResponderError::BadRecord, &c), 0x6F00);
    }
}
