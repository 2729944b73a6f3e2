//! Key derivation: PBKDF2 with HMAC-Streebog-512 (RFC 8018 / R 50.1.111-2016)
//! and the RFC 7836 (R 50.1.113-2016) KDF_256 and KDF_TREE_256.
//!
//! PBKDF2 comes from the `pbkdf2` crate. KDF_256 and KDF_TREE_256 are written
//! here: no crate implements them, and each is a few lines over
//! [`HmacStreebog256`].

use super::mac::HmacStreebog256;
use super::secret::SecretBytes;

/// Why KDF_TREE parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KdfError {
    /// `R` (the byte length of the block counter) must be 1, 2, 3 or 4.
    #[error("KDF_TREE counter length R = {r} bytes is not allowed; RFC 7836 4.5 permits 1 to 4")]
    InvalidCounterLength {
        /// The rejected R.
        r: usize,
    },
    /// Zero bytes of output were requested.
    #[error("KDF_TREE output length must be at least 1 byte")]
    EmptyOutput,
    /// More output than `R` counter bytes can number (255 blocks of 32 bytes for R = 1, ...).
    #[error(
        "KDF_TREE cannot produce {out_len} bytes with a {r}-byte counter (at most {max} bytes); use a larger R"
    )]
    OutputTooLong {
        /// Requested output length in bytes.
        out_len: usize,
        /// The counter length R in bytes.
        r: usize,
        /// The most this R allows, in bytes.
        max: u64,
    },
}

/// Block length of HMAC_GOSTR3411_2012_256 in bytes.
const BLOCK: usize = 32;

/// PBKDF2 (RFC 8018 5.2) with PRF = HMAC_GOSTR3411_2012_512, as R 50.1.111-2016
/// and RFC 8133 (SESPAKE `F(PW, salt, 2000)`) use it; `out_len` bytes.
///
/// RFC 8018 requires `iterations >= 1`; `0` is treated as `1` (the first PRF
/// block is always computed). `out_len` may be any size up to
/// `(2^32 - 1) * 64` bytes, which is far beyond any sensible request.
pub fn pbkdf2_streebog512(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out_len: usize,
) -> SecretBytes {
    let mut out = SecretBytes::new(vec![0u8; out_len]);
    pbkdf2::pbkdf2_hmac::<streebog::Streebog512>(
        password,
        salt,
        iterations.max(1),
        out.expose_mut(),
    );
    out
}

/// KDF_GOSTR3411_2012_256 (RFC 7836 4.4):
/// `HMAC_256(K_in, 0x01 || label || 0x00 || seed || 0x01 || 0x00)`, 32 bytes.
pub fn kdf_gostr3411_2012_256(key: &[u8], label: &[u8], seed: &[u8]) -> SecretBytes {
    let mut m = HmacStreebog256::new(key);
    m.update(&[0x01]);
    m.update(label);
    m.update(&[0x00]);
    m.update(seed);
    m.update(&[0x01, 0x00]);
    let mut k = m.finalize();
    let out = SecretBytes::from_slice(&k);
    zeroize::Zeroize::zeroize(&mut k);
    out
}

/// KDF_TREE_GOSTR3411_2012_256 (RFC 7836 4.5): `K(1) || K(2) || ...` truncated
/// to `out_len` bytes, with
/// `K(i) = HMAC_256(K_in, [i]_R || label || 0x00 || seed || [L]_b)`,
/// `[i]_R` the block number big-endian in exactly `r` bytes and `[L]_b` the
/// output length `L = 8 * out_len` bits big-endian in the fewest bytes
/// (256 -> `01 00`, 1024 -> `04 00`).
///
/// OFP1 secure messaging uses `r = 1`, `out_len = 128` (four 32-byte keys).
///
/// # Errors
/// [`KdfError::InvalidCounterLength`] unless `1 <= r <= 4`;
/// [`KdfError::EmptyOutput`] for `out_len == 0`;
/// [`KdfError::OutputTooLong`] when more than `2^(8r) - 1` blocks would be needed.
pub fn kdf_tree_gostr3411_2012_256(
    key: &[u8],
    label: &[u8],
    seed: &[u8],
    r: usize,
    out_len: usize,
) -> Result<SecretBytes, KdfError> {
    if !(1..=4).contains(&r) {
        return Err(KdfError::InvalidCounterLength { r });
    }
    if out_len == 0 {
        return Err(KdfError::EmptyOutput);
    }
    let max_blocks: u64 = (1u64 << (8 * r)) - 1;
    let blocks = out_len.div_ceil(BLOCK) as u64;
    // L is in bits; widened so that 8 * out_len cannot overflow.
    let l_bits = (out_len as u128) * 8;
    if blocks > max_blocks {
        return Err(KdfError::OutputTooLong {
            out_len,
            r,
            max: max_blocks * BLOCK as u64,
        });
    }
    let l_enc = minimal_be(l_bits);

    let mut out = SecretBytes::new(vec![0u8; out_len]);
    let base = HmacStreebog256::new(key);
    for (i, chunk) in (1u64..).zip(out.expose_mut().chunks_mut(BLOCK)) {
        let mut m = base.clone();
        m.update(&i.to_be_bytes()[8 - r..]);
        m.update(label);
        m.update(&[0x00]);
        m.update(seed);
        m.update(&l_enc);
        let mut k = m.finalize();
        chunk.copy_from_slice(&k[..chunk.len()]);
        zeroize::Zeroize::zeroize(&mut k);
    }
    Ok(out)
}

/// `v` big-endian without leading zero bytes (at least one byte).
fn minimal_be(v: u128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes
        .iter()
        .take(bytes.len() - 1)
        .take_while(|&&b| b == 0)
        .count();
    bytes[skip..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_length_encoding_of_l() {
        assert_eq!(minimal_be(256), [0x01, 0x00]);
        assert_eq!(minimal_be(512), [0x02, 0x00]);
        assert_eq!(minimal_be(1024), [0x04, 0x00]);
        assert_eq!(minimal_be(8), [0x08]);
        assert_eq!(minimal_be(0x01_0000), [0x01, 0x00, 0x00]);
        assert_eq!(minimal_be(0), [0x00]);
    }

    #[test]
    fn kdf_tree_rejects_bad_arguments() {
        let k = [0u8; 32];
        for r in [0, 5, 8, usize::MAX] {
            assert_eq!(
                kdf_tree_gostr3411_2012_256(&k, b"l", b"s", r, 32),
                Err(KdfError::InvalidCounterLength { r })
            );
        }
        assert_eq!(
            kdf_tree_gostr3411_2012_256(&k, b"l", b"s", 1, 0),
            Err(KdfError::EmptyOutput)
        );
        // R = 1 numbers 255 blocks: 8160 bytes is the limit, one byte more fails.
        assert_eq!(
            kdf_tree_gostr3411_2012_256(&k, b"l", b"s", 1, 255 * 32).map(|s| s.len()),
            Ok(255 * 32)
        );
        let err = kdf_tree_gostr3411_2012_256(&k, b"l", b"s", 1, 255 * 32 + 1).unwrap_err();
        assert_eq!(
            err,
            KdfError::OutputTooLong {
                out_len: 255 * 32 + 1,
                r: 1,
                max: 255 * 32
            }
        );
        assert!(err.to_string().contains("larger R"), "{err}");
        // R = 4 allows 2^32 - 1 blocks; checked without allocating.
        assert!(matches!(
            kdf_tree_gostr3411_2012_256(&k, b"l", b"s", 4, usize::MAX),
            Err(KdfError::OutputTooLong { r: 4, .. })
        ));
    }

    #[test]
    fn kdf_tree_prefix_and_truncation() {
        let k = [3u8; 32];
        let full = kdf_tree_gostr3411_2012_256(&k, b"lab", b"seed", 2, 64).expect("valid");
        // A shorter request encodes a different L, so it is not a prefix ...
        let short = kdf_tree_gostr3411_2012_256(&k, b"lab", b"seed", 2, 20).expect("valid");
        assert_eq!(short.len(), 20);
        assert_ne!(short.expose(), &full.expose()[..20]);
        // ... and R changes the counter encoding, hence the output.
        let r1 = kdf_tree_gostr3411_2012_256(&k, b"lab", b"seed", 1, 64).expect("valid");
        assert_ne!(r1, full);
        // The two 32-byte halves differ (counter 1 vs 2).
        assert_ne!(full.expose()[..32], full.expose()[32..]);
    }

    #[test]
    fn kdf_256_is_kdf_tree_with_one_block() {
        let k = [9u8; 32];
        let a = kdf_gostr3411_2012_256(&k, b"label", b"seed");
        let b = kdf_tree_gostr3411_2012_256(&k, b"label", b"seed", 1, 32).expect("valid");
        assert_eq!(a, b);
    }

    #[test]
    fn pbkdf2_zero_iterations_equals_one() {
        let a = pbkdf2_streebog512(b"pw", b"salt", 0, 40);
        let b = pbkdf2_streebog512(b"pw", b"salt", 1, 40);
        assert_eq!(a, b);
        assert_ne!(a, pbkdf2_streebog512(b"pw", b"salt", 2, 40));
        assert_eq!(a.len(), 40);
        assert!(pbkdf2_streebog512(b"pw", b"salt", 1, 0).is_empty());
    }
}
