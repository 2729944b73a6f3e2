//! Identifiers on the wire: key ids, request ids and curve codes.

use super::error::{DistributedError, Result};
use crate::crypto::ec::CurveId;

/// The id of a two-party key, shared by the device and the server.
///
/// 1 to [`KeyId::MAX_LEN`] characters from `A-Z a-z 0-9 . _ -`, not starting
/// with a dot, so it is also a safe file name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Longest key id in bytes.
    pub const MAX_LEN: usize = 64;

    /// Checks and wraps `id`.
    pub fn new(id: &str) -> Result<KeyId> {
        let ok = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && !id.starts_with('.')
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(KeyId(id.to_owned()))
        } else {
            Err(DistributedError::InvalidKeyId {
                len: id.len(),
                max: Self::MAX_LEN,
            })
        }
    }

    /// Placeholder for answers to requests whose key id could not be read.
    pub(crate) fn unknown() -> KeyId {
        KeyId("unknown".to_owned())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A random 16-byte request id; the response echoes it.
pub type RequestId = [u8; 16];

/// A fresh random request id.
pub(crate) fn new_request_id() -> RequestId {
    let mut id = [0u8; 16];
    rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut id);
    id
}

/// The one-byte wire code of a curve (stable; never reuse a code).
pub(crate) fn curve_code(c: CurveId) -> u8 {
    match c {
        CurveId::CryptoProA => 1,
        CurveId::CryptoProB => 2,
        CurveId::CryptoProC => 3,
        CurveId::Tc26_256A => 4,
        CurveId::Tc26_512A => 5,
        CurveId::Tc26_512B => 6,
        CurveId::Tc26_512C => 7,
    }
}

/// The curve of a wire code.
pub(crate) fn curve_from_code(code: u8) -> Result<CurveId> {
    CurveId::ALL
        .into_iter()
        .find(|&c| curve_code(c) == code)
        .ok_or(DistributedError::UnknownCurve(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids() {
        for good in ["a", "user-42.key_1", &"x".repeat(64)] {
            assert_eq!(KeyId::new(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            ".hidden",
            "a/b",
            "a b",
            "ключ",
            &"x".repeat(65),
            "..",
            "a\0",
        ] {
            assert!(
                matches!(KeyId::new(bad), Err(DistributedError::InvalidKeyId { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn curve_codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for c in CurveId::ALL {
            assert!(seen.insert(curve_code(c)));
            assert_eq!(curve_from_code(curve_code(c)).unwrap(), c);
        }
        assert!(matches!(
            curve_from_code(0),
            Err(DistributedError::UnknownCurve(0))
        ));
    }
}
