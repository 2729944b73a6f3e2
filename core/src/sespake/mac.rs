//! The inputs of `MAC_A` and `MAC_B` (RFC 8133 Section 4.3 steps 3 and 4).

use crate::crypto::ec::CurveId;
use crate::crypto::mac::HmacStreebog256;
use crate::crypto::secret::Key256;

/// The identities and algorithm identifier that enter the SESPAKE MACs:
///
/// ```text
/// MAC_A = HMAC256(K, 01 || ID_A || ind || salt || U1 || U2 || ID_ALG)
/// MAC_B = HMAC256(K, 02 || ID_B || ind || salt || U1 || U2 || ID_ALG)
/// ```
///
/// `ID_ALG` is empty when omitted; `DATA_A` and `DATA_B` are always empty in
/// OFP1. A vendor layout is another constructor here, not a protocol change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacContext {
    /// `ID_A`: the host's identity (empty in OFP1 unless sent in tag `80`).
    pub id_a: Vec<u8>,
    /// `ID_B`: the token's identity (OFP1: the 8-byte serial).
    pub id_b: Vec<u8>,
    /// `ID_ALG`, appended after `U2`; empty to leave it out.
    pub id_alg: Vec<u8>,
}

impl MacContext {
    /// OFP1 Section 4: `ID_A` empty, `ID_B` = the serial from SELECT, `ID_ALG`
    /// = the DER TLV of the curve OID.
    pub fn ofp1(curve: CurveId, serial: &[u8]) -> Self {
        MacContext {
            id_a: Vec::new(),
            id_b: serial.to_vec(),
            id_alg: curve.oid_der().to_vec(),
        }
    }

    /// The layout of the RFC 8133 A.2 examples: `ID_A = ID_B = 00 00 00 00`,
    /// no `ID_ALG`.
    pub fn rfc8133_examples() -> Self {
        MacContext {
            id_a: vec![0; 4],
            id_b: vec![0; 4],
            id_alg: Vec::new(),
        }
    }

    /// The same context with `ID_A` set (OFP1 sends it in tag `80` of step 1).
    pub fn with_id_a(mut self, id_a: &[u8]) -> Self {
        self.id_a = id_a.to_vec();
        self
    }
}

/// Which party's MAC: the first byte of the MAC input.
#[derive(Clone, Copy)]
pub(super) enum Party {
    /// `MAC_A`, prefix `01`, identity `ID_A`.
    A,
    /// `MAC_B`, prefix `02`, identity `ID_B`.
    B,
}

/// The public values both MACs cover.
pub(super) struct Transcript<'a> {
    pub ind: u8,
    pub salt: &'a [u8],
    pub u1: &'a [u8],
    pub u2: &'a [u8],
}

/// The MAC input of `party`, in order (exposed for tests of the layout).
pub(super) fn mac_input(ctx: &MacContext, party: Party, t: &Transcript<'_>) -> Vec<u8> {
    let (prefix, id) = match party {
        Party::A => (0x01, &ctx.id_a),
        Party::B => (0x02, &ctx.id_b),
    };
    let mut v = Vec::with_capacity(
        2 + id.len() + t.salt.len() + t.u1.len() + t.u2.len() + ctx.id_alg.len(),
    );
    v.push(prefix);
    v.extend_from_slice(id);
    v.push(t.ind);
    v.extend_from_slice(t.salt);
    v.extend_from_slice(t.u1);
    v.extend_from_slice(t.u2);
    v.extend_from_slice(&ctx.id_alg);
    v
}

/// `HMAC_GOSTR3411_2012_256(K, input of party)`.
pub(super) fn mac(k: &Key256, ctx: &MacContext, party: Party, t: &Transcript<'_>) -> [u8; 32] {
    let mut m = HmacStreebog256::new(k.expose());
    m.update(&mac_input(ctx, party, t));
    m.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let t = Transcript {
            ind: 1,
            salt: &[0xAA; 2],
            u1: &[0xB1; 2],
            u2: &[0xB2; 2],
        };
        let rfc = MacContext::rfc8133_examples();
        assert_eq!(
            mac_input(&rfc, Party::A, &t),
            [1, 0, 0, 0, 0, 1, 0xAA, 0xAA, 0xB1, 0xB1, 0xB2, 0xB2]
        );
        let ofp1 = MacContext::ofp1(CurveId::CryptoProA, &[9; 8]);
        let b = mac_input(&ofp1, Party::B, &t);
        assert_eq!(b[0], 2);
        assert_eq!(&b[1..9], &[9; 8]);
        assert!(b.ends_with(CurveId::CryptoProA.oid_der()));
        let a = mac_input(&ofp1.with_id_a(b"host"), Party::A, &t);
        assert_eq!(&a[..6], &[1, b'h', b'o', b's', b't', 1]);
    }
}
