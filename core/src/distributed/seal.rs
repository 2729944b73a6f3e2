//! Server secrets at rest: pool nonces, the server share and pending refresh
//! contributions are sealed with Kuznyechik-MGM (RFC 9058) under the
//! key-encryption key the server library is given, with associated data that
//! binds each value to its key id, curve and slot, so a database row cannot
//! be moved to another key or index.
//!
//! MGM comes from RustCrypto's `mgm` crate. Its newest release is built on
//! `cipher` 0.3, so it runs over `kuznyechik` 0.7 (the rest of the SDK uses
//! 0.9); that older key schedule is not wiped on drop, which matters little
//! here because the server holds the key-encryption key for its lifetime.

use kuznyechik_mgm::Kuznyechik;
use mgm::Mgm;
use mgm::aead::generic_array::GenericArray;
use mgm::aead::{Aead, KeyInit, Payload};

use super::error::{DistributedError, Encoding, Result};
use crate::crypto::secret::{Key256, SecretBytes};

/// Format byte of sealed values.
const SEAL_V1: u8 = 1;
const NONCE: usize = 16;
const TAG: usize = 16;

/// Seals and opens server secrets under one key-encryption key.
pub(crate) struct Sealer {
    cipher: Mgm<Kuznyechik>,
}

impl Sealer {
    pub(crate) fn new(kek: &Key256) -> Self {
        Sealer {
            cipher: Mgm::new(GenericArray::from_slice(kek.expose())),
        }
    }

    /// `1 || nonce || ciphertext || tag`, with a fresh random 127-bit nonce
    /// (MGM requires the top bit clear).
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE];
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut nonce);
        nonce[0] &= 0x7F;
        let ct = self
            .cipher
            .encrypt(
                GenericArray::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // Only a nonce with its top bit set fails, and it is cleared above.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(SEAL_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// The plaintext, if `sealed` was made by [`Sealer::seal`] with this key and `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<SecretBytes> {
        if sealed.len() < 1 + NONCE + TAG || sealed[0] != SEAL_V1 {
            return Err(DistributedError::Malformed {
                what: Encoding::Sealed,
                offset: Some(0),
            });
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE);
        self.cipher
            .decrypt(GenericArray::from_slice(nonce), Payload { msg: ct, aad })
            .map(SecretBytes::new)
            .map_err(|_| DistributedError::SealBroken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_opens_and_refuses_tampering() {
        let s = Sealer::new(&Key256::from_bytes([3; 32]));
        let sealed = s.seal(b"aad", b"secret nonces");
        assert_eq!(s.open(b"aad", &sealed).unwrap().expose(), b"secret nonces");
        assert_ne!(s.seal(b"aad", b"secret nonces"), sealed, "fresh nonce");
        assert!(matches!(
            s.open(b"other", &sealed),
            Err(DistributedError::SealBroken)
        ));
        for i in 1..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            assert!(s.open(b"aad", &t).is_err(), "byte {i}");
        }
        let other = Sealer::new(&Key256::from_bytes([4; 32]));
        assert!(matches!(
            other.open(b"aad", &sealed),
            Err(DistributedError::SealBroken)
        ));
        assert!(matches!(
            s.open(b"aad", &sealed[..20]),
            Err(DistributedError::Malformed { .. })
        ));
    }
}
