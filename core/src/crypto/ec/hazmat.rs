//! Integer-level access to the two example curves of GOST R 34.10-2012
//! Appendix A / RFC 7091 Section 7, whose published examples give `e`
//! directly rather than a digest. These curves are not among the supported
//! parameter sets; this module exists so that the test suite can run the
//! standard's own examples through the same signing and verification code.
//! Not part of the stable API.

use crypto_bigint::{U256, U512, Uint};

use super::error::EcError;
use super::field::{uint_from_be, uint_lt, uint_to_be};
use super::mul::mul_base_ct;
use super::params::{Curve, Rfc7091_256, Rfc7091_512};
use super::point::affine_point;
use super::projective::ProjectivePoint;
use super::signature::{sign_core, verify_core};

/// One of the RFC 7091 example curves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleCurve {
    /// RFC 7091 Section 7.1 (256-bit, `id-GostR3410-2001-TestParamSet`).
    Rfc7091_256,
    /// RFC 7091 Section 7.2 (512-bit).
    Rfc7091_512,
}

/// Big-endian integer of exactly the curve's length, below `bound`.
fn parse<C: Curve<L>, const L: usize>(bytes: &[u8], bound: &Uint<L>) -> Result<Uint<L>, EcError> {
    if bytes.len() != C::BYTES {
        return Err(EcError::InvalidLength {
            expected: C::BYTES,
            got: bytes.len(),
        });
    }
    let v = uint_from_be::<L>(bytes).ok_or(EcError::InvalidLength {
        expected: C::BYTES,
        got: bytes.len(),
    })?;
    if bool::from(uint_lt(&v, bound)) {
        Ok(v)
    } else {
        Err(EcError::ScalarOutOfRange)
    }
}

fn be<C: Curve<L>, const L: usize>(v: &Uint<L>) -> Vec<u8> {
    let mut out = vec![0u8; C::BYTES];
    uint_to_be(v, &mut out);
    out
}

fn public_key<C: Curve<L>, const L: usize>(d: &[u8]) -> Result<(Vec<u8>, Vec<u8>), EcError> {
    let d = parse::<C, L>(d, &C::Q)?;
    let (x, y, finite) = mul_base_ct::<C, L>(&d).to_affine();
    if !bool::from(finite) {
        return Err(EcError::ScalarOutOfRange);
    }
    Ok((be::<C, L>(&x.retrieve()), be::<C, L>(&y.retrieve())))
}

fn sign<C: Curve<L>, const L: usize>(
    d: &[u8],
    e: &[u8],
    k: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), EcError> {
    let (d, e, k) = (
        parse::<C, L>(d, &C::Q)?,
        parse::<C, L>(e, &C::Q)?,
        parse::<C, L>(k, &C::Q)?,
    );
    let (r, s) = sign_core::<C, L>(&d, &e, &k)?;
    Ok((be::<C, L>(&r), be::<C, L>(&s)))
}

fn verify<C: Curve<L>, const L: usize>(
    qx: &[u8],
    qy: &[u8],
    e: &[u8],
    r: &[u8],
    s: &[u8],
) -> Result<(), EcError> {
    let (x, y) = (parse::<C, L>(qx, &C::P)?, parse::<C, L>(qy, &C::P)?);
    let q = affine_point::<C, L>(&x, &y).ok_or(EcError::PointNotOnCurve)?;
    let e = parse::<C, L>(e, &C::Q)?;
    let max = Uint::<L>::MAX;
    let (r, s) = (parse::<C, L>(r, &max)?, parse::<C, L>(s, &max)?);
    verify_core(&ProjectivePoint::from_affine(&q), &e, &r, &s)
}

/// `Q = d*P` as big-endian `(x, y)`.
pub fn example_public_key(curve: ExampleCurve, d: &[u8]) -> Result<(Vec<u8>, Vec<u8>), EcError> {
    match curve {
        ExampleCurve::Rfc7091_256 => public_key::<Rfc7091_256, { U256::LIMBS }>(d),
        ExampleCurve::Rfc7091_512 => public_key::<Rfc7091_512, { U512::LIMBS }>(d),
    }
}

/// Signs the integer `e` with key `d` and nonce `k` (all big-endian);
/// returns big-endian `(r, s)`.
pub fn example_sign(
    curve: ExampleCurve,
    d: &[u8],
    e: &[u8],
    k: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), EcError> {
    match curve {
        ExampleCurve::Rfc7091_256 => sign::<Rfc7091_256, { U256::LIMBS }>(d, e, k),
        ExampleCurve::Rfc7091_512 => sign::<Rfc7091_512, { U512::LIMBS }>(d, e, k),
    }
}

/// Verifies big-endian `(r, s)` over the integer `e` for `Q = (qx, qy)`.
pub fn example_verify(
    curve: ExampleCurve,
    qx: &[u8],
    qy: &[u8],
    e: &[u8],
    r: &[u8],
    s: &[u8],
) -> Result<(), EcError> {
    match curve {
        ExampleCurve::Rfc7091_256 => verify::<Rfc7091_256, { U256::LIMBS }>(qx, qy, e, r, s),
        ExampleCurve::Rfc7091_512 => verify::<Rfc7091_512, { U512::LIMBS }>(qx, qy, e, r, s),
    }
}
