//! Errors of the elliptic-curve layer.

use super::curve_id::CurveId;

/// Why an elliptic-curve operation refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcError {
    /// An encoded point, scalar or signature has the wrong number of bytes.
    #[error("wrong length: expected {expected} bytes, got {got}")]
    InvalidLength {
        /// Length the curve requires.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// The coordinates do not satisfy the curve equation.
    #[error("point is not on the curve (wrong curve, corrupted or wrongly ordered bytes?)")]
    PointNotOnCurve,
    /// A coordinate is not below the field prime `p` (non-canonical encoding).
    #[error("point coordinate is not below the field prime p")]
    CoordinateOutOfRange,
    /// The point at infinity where a proper point is required.
    #[error("point is the point at infinity, which is not a valid key or protocol value")]
    PointAtInfinity,
    /// The point lies on the curve but outside the prime-order subgroup.
    #[error("point is not in the prime-order subgroup (q*P != O): it has a small-order component")]
    PointNotInSubgroup,
    /// A scalar or private key is zero or not below the subgroup order `q`.
    #[error("scalar is zero or not below the subgroup order q")]
    ScalarOutOfRange,
    /// The digest does not have the length the curve signs.
    #[error(
        "digest is {got} bytes, the curve signs {expected}-byte digests \
         (Streebog-256 for 256-bit curves, Streebog-512 for 512-bit curves)"
    )]
    DigestLength {
        /// Digest length for this curve.
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// The signature does not match the digest and key.
    #[error("signature verification failed")]
    InvalidSignature,
    /// `r` or `s` of a signature is zero or not below `q`.
    #[error("signature component r or s is zero or not below the subgroup order q")]
    SignatureComponentOutOfRange,
    /// The curve identifier is not one of the supported parameter sets.
    #[error("unknown or unsupported curve")]
    UnknownCurve,
    /// Values of two different curves were combined.
    #[error("values of different curves combined: {left} and {right}")]
    CurveMismatch {
        /// Curve of the receiver.
        left: CurveId,
        /// Curve of the argument.
        right: CurveId,
    },
    /// The given nonce `k` yields `r = 0` or `s = 0`; signing needs another `k`.
    #[error("nonce gives r = 0 or s = 0; sign again with a different nonce")]
    DegenerateNonce,
}
