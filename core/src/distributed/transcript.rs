//! Domain-separated Streebog-512 hashing of protocol values: binding
//! factors, Schnorr challenges and hash commitments.
//!
//! Every value is absorbed with its length (8 bytes big-endian) first, so two
//! different sequences of values never hash the same input.

use crate::crypto::ec::{CurveId, Point, Scalar};
use crate::crypto::hash::{DigestAlgorithm, Hasher};

/// Protocol name and version, the first value of every transcript.
const DOMAIN: &[u8] = b"FKN two-party GOST R 34.10-2012 v1";

/// A running hash of labelled protocol values.
#[derive(Clone)]
pub(crate) struct Transcript(Hasher);

impl Transcript {
    /// A transcript for one purpose (`label`) of the protocol.
    pub(crate) fn new(label: &'static str) -> Self {
        let mut t = Transcript(DigestAlgorithm::Streebog512.hasher());
        t.bytes(DOMAIN);
        t.bytes(label.as_bytes());
        t
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.update(&(b.len() as u64).to_be_bytes());
        self.0.update(b);
        self
    }

    pub(crate) fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn curve(&mut self, c: CurveId) -> &mut Self {
        self.bytes(c.oid_der())
    }

    pub(crate) fn point(&mut self, p: &Point) -> &mut Self {
        self.bytes(&p.to_bytes())
    }

    pub(crate) fn scalar(&mut self, s: &Scalar) -> &mut Self {
        let mut b = s.to_be_bytes();
        self.bytes(&b);
        zeroize::Zeroize::zeroize(&mut b);
        self
    }

    /// A scalar mod `q` from 1024 hash bits (two Streebog-512 outputs), so the
    /// reduction bias is below `2^-500` even for the 510-bit `q` of tc26-512-C.
    pub(crate) fn challenge(&self, curve: CurveId) -> Scalar {
        let mut wide = Vec::with_capacity(128);
        for tag in [0u8, 1] {
            let mut h = self.0.clone();
            h.update(&[tag]);
            wide.extend_from_slice(&h.finalize());
        }
        Scalar::from_le_bytes_reduced(curve, &wide)
    }

    /// The 64-byte digest (hash commitments).
    pub(crate) fn digest(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(&self.0.clone().finalize());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefix_separates_values() {
        let mut a = Transcript::new("t");
        a.bytes(b"ab").bytes(b"c");
        let mut b = Transcript::new("t");
        b.bytes(b"a").bytes(b"bc");
        assert_ne!(a.digest(), b.digest());
        assert_ne!(Transcript::new("t").digest(), Transcript::new("u").digest());
        let c = CurveId::Tc26_512C;
        assert_ne!(a.challenge(c), b.challenge(c));
    }
}
