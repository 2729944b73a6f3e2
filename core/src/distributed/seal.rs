//! Server secrets at rest: pool nonces, the server share and pending refresh
//! contributions are sealed with Kuznyechik-MGM (RFC 9058, the SDK's own
//! [`crate::crypto::mgm`]) under the key-encryption key the server library is
//! given, with associated data that binds each value to its key id, curve and
//! slot, so a database row cannot be moved to another key or index.

use super::error::{DistributedError, Encoding, Result};
use crate::crypto::mgm::{KuznyechikMgm, MGM_NONCE_LEN, MGM_TAG_LEN};
use crate::crypto::secret::{Key256, SecretBytes};

/// Format byte of sealed values.
const SEAL_V1: u8 = 1;
const NONCE: usize = MGM_NONCE_LEN;
const TAG: usize = MGM_TAG_LEN;

/// Seals and opens server secrets under one key-encryption key.
pub(crate) struct Sealer {
    cipher: KuznyechikMgm,
}

impl Sealer {
    pub(crate) fn new(kek: &Key256) -> Self {
        Sealer {
            cipher: KuznyechikMgm::new(kek),
        }
    }

    /// `1 || nonce || ciphertext || tag`, with a fresh random 127-bit nonce
    /// (MGM requires the top bit clear).
    pub(crate) fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE];
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut nonce);
        nonce[0] &= 0x7F;
        // MGM refuses only a nonce with its top bit set (cleared above) or
        // nothing to protect (every caller binds AAD); should it ever
        // refuse, nothing unsealable is stored.
        let ct = self
            .cipher
            .encrypt(&nonce, aad, plaintext)
            .map_err(|_| DistributedError::SealBroken)?;
        let mut out = Vec::with_capacity(1 + NONCE + ct.len());
        out.push(SEAL_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
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
        let nonce: &[u8; NONCE] = nonce.try_into().map_err(|_| DistributedError::SealBroken)?;
        self.cipher
            .decrypt(nonce, aad, ct)
            // Whatever MGM refuses (a tag mismatch, or a stored nonce with
            // its top bit set) was not sealed here under this key and AAD.
            .map_err(|_| DistributedError::SealBroken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_opens_and_refuses_tampering() {
        let s = Sealer::new(&Key256::from_bytes([3; 32]));
        let sealed = s.seal(b"aad", b"secret nonces").unwrap();
        assert_eq!(s.open(b"aad", &sealed).unwrap().expose(), b"secret nonces");
        assert_ne!(
            s.seal(b"aad", b"secret nonces").unwrap(),
            sealed,
            "fresh nonce"
        );
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
