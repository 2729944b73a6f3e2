//! GOST R 34.10-2012 elliptic curves: parameters, points, signatures.
//!
//! # Why hand-written
//!
//! No published Rust crate implements GOST R 34.10-2012 (RustCrypto has no
//! GOST curves), so this module builds it on `crypto-bigint`'s constant-time
//! Montgomery arithmetic with the moduli fixed at compile time
//! (`ConstMontyForm`, 256- and 512-bit). Each of the seven parameter sets of
//! RFC 8133 Appendix B is a static type; [`CurveId`] picks one at run time.
//!
//! # Formulas
//!
//! * Secret-dependent work uses homogeneous projective coordinates and the
//!   complete addition and doubling formulas for arbitrary `a` of Renes,
//!   Costello and Batina (EUROCRYPT 2016, Algorithms 1-3): no branches, no
//!   special cases. They are exact for all points of the prime-order
//!   subgroup. On the cofactor-4 curves (tc26-256-A, tc26-512-C) they fail
//!   only when the two points differ by the rational point of order 2;
//!   [`Point::add`] detects and repairs that case in constant time, doubling
//!   is always exact (so [`Point::mul_by_cofactor`] is), and [`Point::mul`]
//!   treats points of order dividing 4 separately, so all public operations
//!   are exact for every point of the curve.
//! * Public-data work (verification, subgroup checks, [`Point::mul_vartime`])
//!   uses Jacobian coordinates with explicit case branches, width-w NAFs and
//!   Straus' interleaving for `z1*P + z2*Q`.
//!
//! # Constant time
//!
//! Constant time in secret values holds for: scalar decoding and reduction,
//! [`Scalar`] arithmetic (inversion via crypto-bigint's safegcd),
//! [`Point::mul`] (fixed 4-bit window, full-table scans with `subtle`
//! selects), [`Point::mul_generator`] and key generation and signing
//! (signed-digit comb over a per-curve table built on first use, then
//! constant-time inversion for `x`), [`Point::add`], [`Point::to_bytes`] and
//! equality. Variable time, on public data only: point decoding checks,
//! [`Point::mul_vartime`] and verification. Outcomes that are public anyway
//! (a zero nonce redrawn, a signature rejected) may branch.
//!
//! # Conventions (OFP1 Section 1)
//!
//! `BYTES(Q) = LE(X, n) || LE(Y, n)`; `e = int_LE(digest) mod q`, `1` if
//! zero; signature octets `s || r`, each big-endian in `n` bytes. These are
//! also OpenSSL gost-engine's (checked in `tests/gost3410_openssl.rs`).

mod curve_id;
mod error;
mod field;
#[doc(hidden)]
pub mod hazmat;
mod jacobian;
mod mul;
mod params;
mod point;
mod precomp;
mod projective;
mod scalar;
mod signature;

pub use curve_id::CurveId;
pub use error::EcError;
pub use point::Point;
pub use scalar::Scalar;
pub use signature::{SigningKey, VerifyingKey};
