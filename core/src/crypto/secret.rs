//! Containers for secret bytes: zeroized on drop, redacted in `Debug`,
//! compared in constant time, and deliberately without `Display`.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Secret bytes of any length (derived keys, PIN-derived values, session keys).
///
/// The buffer is zeroized on drop. `Debug` prints `SecretBytes([REDACTED; len])`
/// and there is no `Display`, so secrets cannot end up in logs by accident.
/// Equality is constant-time in the contents (the length is not secret).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Takes ownership of `v`; it is zeroized when the `SecretBytes` is dropped.
    pub fn new(v: Vec<u8>) -> Self {
        Self(v)
    }

    /// Copies `s` into a new secret buffer (the caller still owns and must wipe `s`).
    pub fn from_slice(s: &[u8]) -> Self {
        Self(s.to_vec())
    }

    /// The secret bytes. Keep the borrow short and do not copy it into
    /// containers that are not wiped.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Mutable access, for filling a buffer allocated as secret from the start
    /// (so the bytes never live in an unwiped temporary).
    pub(crate) fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// Length in bytes (not secret).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when the buffer holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes([REDACTED; {}])", self.0.len())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SecretBytes {}

impl From<Vec<u8>> for SecretBytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

/// A 32-byte symmetric key (Kuznyechik, Magma, HMAC keys of the secure channel).
///
/// Zeroized on drop, redacted in `Debug` (`Key256([REDACTED])`), no `Display`,
/// constant-time equality.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key256([u8; 32]);

impl Key256 {
    /// Length of the key in bytes.
    pub const LEN: usize = 32;

    /// Wraps `b`. The argument is moved in by value, so the caller should wipe
    /// any other copy it keeps.
    pub fn from_bytes(b: [u8; 32]) -> Self {
        Self(b)
    }

    /// Copies a key out of `s`; `None` unless `s` is exactly 32 bytes.
    pub fn try_from_slice(s: &[u8]) -> Option<Self> {
        let mut k = [0u8; 32];
        if s.len() != k.len() {
            return None;
        }
        k.copy_from_slice(s);
        Some(Self(k))
    }

    /// The key bytes. Keep the borrow short.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Key256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key256([REDACTED])")
    }
}

impl PartialEq for Key256 {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Key256 {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_bytes_debug_is_redacted() {
        let s = SecretBytes::new(vec![0xAB, 0xCD, 0xEF, 0x12]);
        let d = format!("{s:?}");
        assert_eq!(d, "SecretBytes([REDACTED; 4])");
        for needle in ["ab", "AB", "171", "cd", "205"] {
            assert!(!d.contains(needle), "{d} leaks {needle}");
        }
        // Also through a containing struct's derived Debug.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            k: SecretBytes,
        }
        assert!(!format!("{:?}", Holder { k: s }).contains("171"));
    }

    #[test]
    fn key256_debug_is_redacted() {
        let k = Key256::from_bytes([0x5A; 32]);
        let d = format!("{k:?} {k:#?}");
        assert!(
            !d.contains("5A") && !d.contains("5a") && !d.contains("90"),
            "{d}"
        );
        assert!(d.contains("REDACTED"));
    }

    #[test]
    fn accessors() {
        let s = SecretBytes::from_slice(&[1, 2, 3]);
        assert_eq!(s.expose(), &[1, 2, 3]);
        assert_eq!(s.len(), 3);
        assert!(!s.is_empty());
        assert!(SecretBytes::new(Vec::new()).is_empty());
        assert_eq!(s.clone(), s);
        assert_ne!(s, SecretBytes::from_slice(&[1, 2, 4]));
        assert_ne!(s, SecretBytes::from_slice(&[1, 2]));
    }

    #[test]
    fn key256_from_slice_checks_length() {
        assert!(Key256::try_from_slice(&[0u8; 31]).is_none());
        assert!(Key256::try_from_slice(&[0u8; 33]).is_none());
        let k = Key256::try_from_slice(&[7u8; 32]).expect("32 bytes");
        assert_eq!(k.expose(), &[7u8; 32]);
        assert_eq!(k, Key256::from_bytes([7u8; 32]));
        assert_ne!(k, Key256::from_bytes([8u8; 32]));
    }

    #[test]
    fn zeroize_clears_contents() {
        // `Vec::zeroize` wipes the bytes and then truncates to length 0.
        let mut s = SecretBytes::from_slice(&[9u8; 16]);
        s.zeroize();
        assert!(s.is_empty());
        let mut k = Key256::from_bytes([9u8; 32]);
        k.zeroize();
        assert_eq!(k.expose(), &[0u8; 32]);
    }
}
