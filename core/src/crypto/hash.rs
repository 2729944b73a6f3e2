//! GOST R 34.11-2012 (Streebog) hashes, RFC 6986.
//!
//! Outputs are the byte strings of the RustCrypto `streebog` crate, which are
//! the RFC 6986 Section 10 example values read in message byte order (the RFC
//! prints hash values as numbers, i.e. byte-reversed); this is also the octet
//! order of OpenSSL's gost-engine and of the OFP1 wire.

use digest::Digest;
use streebog::{Streebog256, Streebog512};

/// Streebog-256 (GOST R 34.11-2012, 256-bit output) of `data`.
pub fn streebog256(data: &[u8]) -> [u8; 32] {
    Streebog256::digest(data).into()
}

/// Streebog-512 (GOST R 34.11-2012, 512-bit output) of `data`.
pub fn streebog512(data: &[u8]) -> [u8; 64] {
    Streebog512::digest(data).into()
}

/// A Streebog variant chosen at run time (e.g. by key size: 256-bit keys use
/// Streebog-256, 512-bit keys Streebog-512).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DigestAlgorithm {
    /// GOST R 34.11-2012 with 256-bit output (OID 1.2.643.7.1.1.2.2).
    Streebog256,
    /// GOST R 34.11-2012 with 512-bit output (OID 1.2.643.7.1.1.2.3).
    Streebog512,
}

impl DigestAlgorithm {
    /// The digest a key on `curve` signs: Streebog-256 for 256-bit curves,
    /// Streebog-512 for 512-bit ones.
    pub fn for_curve(curve: crate::crypto::ec::CurveId) -> Self {
        if curve.coord_len() == 32 {
            Self::Streebog256
        } else {
            Self::Streebog512
        }
    }

    /// Digest length in bytes: 32 or 64.
    pub fn output_len(self) -> usize {
        match self {
            Self::Streebog256 => 32,
            Self::Streebog512 => 64,
        }
    }

    /// One-shot digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Streebog256 => streebog256(data).to_vec(),
            Self::Streebog512 => streebog512(data).to_vec(),
        }
    }

    /// An incremental hasher, for inputs that arrive in pieces (CMS content).
    pub fn hasher(self) -> Hasher {
        let inner = match self {
            Self::Streebog256 => Inner::S256(Streebog256::new()),
            Self::Streebog512 => Inner::S512(Streebog512::new()),
        };
        Hasher { inner }
    }
}

/// Incremental Streebog hasher; create it with [`DigestAlgorithm::hasher`].
#[derive(Clone)]
pub struct Hasher {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    S256(Streebog256),
    S512(Streebog512),
}

impl Hasher {
    /// The algorithm this hasher computes.
    pub fn algorithm(&self) -> DigestAlgorithm {
        match self.inner {
            Inner::S256(_) => DigestAlgorithm::Streebog256,
            Inner::S512(_) => DigestAlgorithm::Streebog512,
        }
    }

    /// Absorbs `data`; calling it several times equals one call on the concatenation.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            Inner::S256(h) => Digest::update(h, data),
            Inner::S512(h) => Digest::update(h, data),
        }
    }

    /// The digest of everything absorbed (32 or 64 bytes).
    pub fn finalize(self) -> Vec<u8> {
        match self.inner {
            Inner::S256(h) => h.finalize().to_vec(),
            Inner::S512(h) => h.finalize().to_vec(),
        }
    }
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The state may be derived from secret input; show only the algorithm.
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6986 Sec. 10.1 M1 (see tests/sym_vectors.rs for the full set).
    const M1: &[u8] = b"012345678901234567890123456789012345678901234567890123456789012";

    #[test]
    fn incremental_equals_one_shot_for_every_split() {
        for alg in [DigestAlgorithm::Streebog256, DigestAlgorithm::Streebog512] {
            // 63 and 130 bytes: below, at and across the 64-byte block boundary.
            let long: Vec<u8> = (0..130u8).collect();
            for msg in [M1, &long[..]] {
                let want = alg.digest(msg);
                assert_eq!(want.len(), alg.output_len());
                for cut in 0..=msg.len() {
                    let mut h = alg.hasher();
                    h.update(&msg[..cut]);
                    h.update(&msg[cut..]);
                    assert_eq!(h.finalize(), want, "{alg:?} split at {cut}");
                }
            }
        }
    }

    #[test]
    fn algorithms_differ_and_match_fixed_functions() {
        assert_eq!(DigestAlgorithm::Streebog256.digest(M1), streebog256(M1));
        assert_eq!(DigestAlgorithm::Streebog512.digest(M1), streebog512(M1));
        // Streebog-256 is not a truncation of Streebog-512 (different IV).
        assert_ne!(streebog256(M1)[..], streebog512(M1)[..32]);
        let h = DigestAlgorithm::Streebog512.hasher();
        assert_eq!(h.algorithm(), DigestAlgorithm::Streebog512);
        assert!(format!("{h:?}").contains("Streebog512"));
    }
}
