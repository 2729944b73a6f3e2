//! Streebog (GOST R 34.11-2012), so apps hash documents with the digest the
//! token signs, in one call or in pieces.

use std::sync::Mutex;

use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::hash::{DigestAlgorithm, Hasher as CoreHasher};

use crate::error::{FknError, invalid};
use crate::live::LiveGuard;

/// The digest a key on `curve` signs.
#[uniffi::export]
pub fn digest_algorithm_for(curve: CurveId) -> DigestAlgorithm {
    if curve.digest_len() == 64 {
        DigestAlgorithm::Streebog512
    } else {
        DigestAlgorithm::Streebog256
    }
}

/// One-shot digest of `data`.
#[uniffi::export]
pub fn digest(algorithm: DigestAlgorithm, data: Vec<u8>) -> Vec<u8> {
    algorithm.digest(&data)
}

/// An incremental Streebog hasher, for documents that arrive in pieces.
/// `finish` consumes its state; further calls fail with `InvalidInput`.
#[derive(uniffi::Object)]
pub struct Hasher {
    state: Mutex<Option<CoreHasher>>,
    _live: LiveGuard,
}

#[uniffi::export]
impl Hasher {
    /// A hasher for `algorithm`.
    #[uniffi::constructor]
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        Hasher {
            state: Mutex::new(Some(algorithm.hasher())),
            _live: LiveGuard::new(),
        }
    }

    /// Absorbs `data`; several calls equal one call on the concatenation.
    pub fn update(&self, data: Vec<u8>) -> Result<(), FknError> {
        let mut state = self.state.lock().map_err(|_| finished())?;
        state.as_mut().ok_or_else(finished)?.update(&data);
        Ok(())
    }

    /// The digest of everything absorbed (32 or 64 bytes).
    pub fn finish(&self) -> Result<Vec<u8>, FknError> {
        let mut state = self.state.lock().map_err(|_| finished())?;
        Ok(state.take().ok_or_else(finished)?.finalize())
    }
}

fn finished() -> FknError {
    invalid("this hasher already finished; create a new one")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_equals_one_shot_and_rfc_6986_example() {
        // RFC 6986 Section 10.1, M1 = "012345678901234567890123456789012345678901234567890123456789012",
        // 256-bit hash in byte order of the wire (the RFC prints it reversed).
        let m1 = b"012345678901234567890123456789012345678901234567890123456789012".to_vec();
        let expected = "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500";
        assert_eq!(
            digest(DigestAlgorithm::Streebog256, m1.clone()),
            hex_decode(expected)
        );
        let h = Hasher::new(DigestAlgorithm::Streebog256);
        h.update(m1[..10].to_vec()).unwrap();
        h.update(m1[10..].to_vec()).unwrap();
        assert_eq!(h.finish().unwrap(), hex_decode(expected));
        assert!(matches!(h.finish(), Err(FknError::Misuse { .. })));
        assert!(h.update(vec![1]).is_err());
    }

    #[test]
    fn curve_picks_its_digest() {
        assert_eq!(
            digest_algorithm_for(CurveId::Tc26_256A),
            DigestAlgorithm::Streebog256
        );
        assert_eq!(
            digest_algorithm_for(CurveId::Tc26_512B),
            DigestAlgorithm::Streebog512
        );
        assert_eq!(digest(DigestAlgorithm::Streebog512, vec![]).len(), 64);
    }

    fn hex_decode(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
