//! HMAC with Streebog (RFC 7836 Section 4.1 = R 50.1.113-2016) and
//! constant-time tag comparison.
//!
//! HMAC is RFC 2104 with block size 64 bytes for both hash lengths; keys of any
//! length are accepted (longer than 64 bytes: hashed first, as RFC 2104 says).

use digest::{Digest, KeyInit, Mac};
use hmac::Hmac;
use streebog::{Streebog256, Streebog512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

type HmacS256 = Hmac<Streebog256>;

/// HMAC_GOSTR3411_2012_256 (RFC 7836 4.1.1) of `data` under `key`.
pub fn hmac_streebog256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut m = HmacStreebog256::new(key);
    m.update(data);
    m.finalize()
}

/// HMAC_GOSTR3411_2012_512 (RFC 7836 4.1.2) of `data` under `key`.
pub fn hmac_streebog512(key: &[u8], data: &[u8]) -> [u8; 64] {
    let mut m = new_mac::<Streebog512>(key);
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Incremental HMAC_GOSTR3411_2012_256, for MAC inputs assembled from parts
/// (SESPAKE's `MAC_A` / `MAC_B`, KDF_TREE blocks) without concatenating them.
#[derive(Clone)]
pub struct HmacStreebog256(HmacS256);

impl HmacStreebog256 {
    /// Starts an HMAC under `key` (any length).
    pub fn new(key: &[u8]) -> Self {
        Self(new_mac::<Streebog256>(key))
    }

    /// Absorbs the next part of the MAC input.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The 32-byte tag. Compare tags with [`ct_eq`], never with `==` on slices.
    pub fn finalize(self) -> [u8; 32] {
        self.0.finalize().into_bytes().into()
    }
}

impl core::fmt::Debug for HmacStreebog256 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The state is derived from the key.
        f.write_str("HmacStreebog256([REDACTED])")
    }
}

/// Keys an HMAC with RFC 2104's preprocessing done here: a key longer than the
/// 64-byte block is replaced by its hash, then zero-padded to one block.
/// The block-sized key goes through the infallible `KeyInit::new`, so no
/// error path exists (`new_from_slice` is fallible in signature only).
fn new_mac<D>(key: &[u8]) -> Hmac<D>
where
    D: hmac::EagerHash + Digest,
{
    let mut block = Zeroizing::new(digest::Key::<Hmac<D>>::default());
    if key.len() > block.len() {
        let h = Zeroizing::new(D::digest(key));
        // Streebog's 32/64-byte output always fits the 64-byte block.
        let n = h.len().min(block.len());
        block[..n].copy_from_slice(&h[..n]);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <Hmac<D> as KeyInit>::new(&block)
}

/// Constant-time equality of two byte strings (MAC tags, key check values).
///
/// The running time depends only on the lengths, never on the contents; strings
/// of different lengths are unequal.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_equals_one_shot() {
        let key = [0x11u8; 32];
        let data: Vec<u8> = (0..200u8).collect();
        let want = hmac_streebog256(&key, &data);
        for cut in [0, 1, 63, 64, 65, 150, 200] {
            let mut m = HmacStreebog256::new(&key);
            m.update(&data[..cut]);
            m.update(&data[cut..]);
            assert_eq!(m.finalize(), want, "split at {cut}");
        }
    }

    #[test]
    fn long_keys_are_hashed_first() {
        // RFC 2104: a key longer than the 64-byte block is replaced by H(key).
        let long = [0x42u8; 100];
        let data = b"abc";
        assert_eq!(
            hmac_streebog256(&long, data),
            hmac_streebog256(&crate::crypto::hash::streebog256(&long), data)
        );
        assert_eq!(
            hmac_streebog512(&long, data),
            hmac_streebog512(&crate::crypto::hash::streebog512(&long), data)
        );
        // A 64-byte key is used as is, not hashed.
        let k64 = [0x42u8; 64];
        assert_ne!(
            hmac_streebog256(&k64, data),
            hmac_streebog256(&crate::crypto::hash::streebog256(&k64), data)
        );
    }

    #[test]
    fn ct_eq_semantics() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert!(!ct_eq(b"ab", b"abc"));
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", HmacStreebog256::new(b"k")),
            "HmacStreebog256([REDACTED])"
        );
    }
}
